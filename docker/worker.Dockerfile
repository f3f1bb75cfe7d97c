# imagine-fleet worker, CPU (DJL with the libtorch 2.7.1 CPU build that ships inside pytorch-native-cpu).
# Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t imagine-fleet/worker .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -pl worker -am package -DskipTests

FROM eclipse-temurin:17-jre
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends curl libgomp1 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app imagine \
    && mkdir -p /models /var/cache/djl /var/cache/imagine/models && chown -R 10001 /models /var/cache/djl /var/cache/imagine
WORKDIR /app
COPY --from=build --chown=10001 /src/worker/target/quarkus-app/ /app/
USER 10001
EXPOSE 8080
# DJL unpacks libtorch from the bundled jar into DJL_CACHE_DIR and never downloads anything.
ENV DJL_CACHE_DIR=/var/cache/djl \
    JAVA_OPTS_APPEND="-XX:MaxRAMPercentage=75 -Dai.djl.offline=true" \
    WORKER_DEVICE=cpu \
    WORKER_MODEL_DIR=/models \
    WORKER_MODEL_CACHE=/var/cache/imagine/models
VOLUME ["/models", "/var/cache/djl", "/var/cache/imagine"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=300s --retries=3 \
    CMD curl -fsS http://localhost:8080/q/health/ready || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS_APPEND -jar /app/quarkus-run.jar"]
