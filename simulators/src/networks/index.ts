export { MODEL_SAMPLES, type ModelSample } from './samples.ts';
export { chirpstackUplink, chirpstackStatus, ttsUplink, ctwingDataReport, ctwingOnlineOffline, uuidFrom, type NetworkFrame, type RadioSample, type CtwingDevice } from './messages.ts';
export { onenetDataPoint, onenetSign } from './onenet.ts';
export { networkSimDevices, isAlarm, type NetworkSimDevice } from './traffic.ts';
