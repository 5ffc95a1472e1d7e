FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm install --no-audit --no-fund && npm run build --if-present
ENV HUB_DATA_DIR=/data NODE_ENV=production
EXPOSE 8080 1883 8883
CMD ["npm", "start"]
