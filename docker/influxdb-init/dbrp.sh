#!/bin/bash
# Map the bucket to an InfluxQL database/retention policy so the hub's InfluxQL reads work (2.x).
set -euo pipefail
bucket_id=$(influx bucket list --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --hide-headers | cut -f1)
influx v1 dbrp create --bucket-id "${bucket_id}" --db "${DOCKER_INFLUXDB_INIT_BUCKET}" --rp autogen --default
