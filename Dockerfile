# Build the gateway (and the demo backend it runs in config/appsettings.json) with the SDK,
# run it on the ASP.NET runtime image. Mount your own settings over /app/config.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# gcc builds the Process runtime's container monitor (src/Shim/gateway-shim.c) with the gateway.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY . .
RUN dotnet publish src/Gateway/Gateway.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
COPY --from=build /src/artifacts/demo-backend ./artifacts/demo-backend
COPY config ./config
# Inside a container the proxy listens beyond loopback, so that a published port reaches it. The admin
# API stays on the container's own loopback: nothing outside the container reaches it. To open it,
# give it a token file and bind it beyond loopback; every request but /healthz and /readyz then
# needs "Authorization: Bearer <token>" (the status page: /?token=<token> once):
#   openssl rand -hex 32 > admin-token
#   docker run -p 8080:8080 -p 127.0.0.1:9090:9090 -v "$PWD/admin-token:/run/secrets/gateway-admin-token:ro" \
#     -e Gateway__Admin__Urls=http://0.0.0.0:9090 -e Gateway__Admin__TokenFile=/run/secrets/gateway-admin-token IMAGE
# (https://0.0.0.0:9090 instead for kubectl, which sends a token only over TLS: the gateway then makes
# its own certificate and writes a kubeconfig that trusts it, /app/config/gateway.kubeconfig.)
ENV Gateway__Proxy__Urls=http://0.0.0.0:8080 \
    Gateway__Admin__Urls=http://127.0.0.1:9090
EXPOSE 8080
VOLUME ["/app/config"]
ENTRYPOINT ["dotnet", "Gateway.dll", "--config", "/app/config/appsettings.json"]
