# imagine-fleet worker, CUDA. DJL's pytorch-native-cu* jars for 2.7.1 are not published, so this image supplies
# libtorch 2.7.1 (CUDA 12.8 build, matching pytorch-jni 2.7.1-0.36.0) and points DJL at it with
# PYTORCH_LIBRARY_PATH / PYTORCH_VERSION / PYTORCH_FLAVOR. Build from the repository root:
#   docker build -f docker/worker-cuda.Dockerfile -t imagine-fleet/worker-cuda .
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04
ARG LIBTORCH_URL=https://download.pytorch.org/libtorch/cu128/libtorch-cxx11-abi-shared-with-deps-2.7.1%2Bcu128.zip

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -pl worker -am package -DskipTests

FROM eclipse-temurin:17-jre AS libtorch
ARG LIBTORCH_URL
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends curl unzip ca-certificates \
    && curl -fsSL -o /tmp/libtorch.zip "$LIBTORCH_URL" \
    && unzip -q /tmp/libtorch.zip -d /opt && rm /tmp/libtorch.zip \
    && test -f /opt/libtorch/lib/libtorch_cuda.so

FROM ${CUDA_IMAGE}
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless curl libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app imagine \
    && mkdir -p /models /var/cache/djl /var/cache/imagine/models && chown -R 10001 /models /var/cache/djl /var/cache/imagine
COPY --from=libtorch /opt/libtorch /opt/libtorch
WORKDIR /app
COPY --from=build --chown=10001 /src/worker/target/quarkus-app/ /app/
USER 10001
EXPOSE 8080
ENV PYTORCH_LIBRARY_PATH=/opt/libtorch/lib \
    PYTORCH_VERSION=2.7.1 \
    PYTORCH_FLAVOR=cu128 \
    LD_LIBRARY_PATH=/opt/libtorch/lib \
    DJL_CACHE_DIR=/var/cache/djl \
    JAVA_OPTS_APPEND="-XX:MaxRAMPercentage=75 -Dai.djl.offline=true" \
    WORKER_DEVICE=cuda \
    WORKER_MODEL_DIR=/models \
    WORKER_MODEL_CACHE=/var/cache/imagine/models
VOLUME ["/models", "/var/cache/djl", "/var/cache/imagine"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=600s --retries=3 \
    CMD curl -fsS http://localhost:8080/q/health/ready || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS_APPEND -jar /app/quarkus-run.jar"]
