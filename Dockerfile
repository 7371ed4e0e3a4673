# usmctl as a container image; docs/ci.md, "Container image":
#   docker build -t usmctl .
#   docker run --rm --network none -v "$PWD:/work:ro" usmctl
# The base is pinned by Python minor version (its patch releases are security
# fixes); the image holds usmctl and its dependencies, not the source tree.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin usmctl
# A numeric user, so a cluster's "run as non-root" check can verify it.
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["usmctl"]
CMD ["validate", "."]
