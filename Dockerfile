# Documentation for a container deployment (see docker-compose.yml); not needed to run or test.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
# npm start rebuilds dist/ before it starts (a second); owned by the user that runs it.
RUN npm run build && chown -R node:node dist
ENV PORT=4000
EXPOSE 4000
USER node
CMD ["npm", "start"]
