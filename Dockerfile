# Build the gateway (and the demo backend it runs in config/appsettings.json) with the SDK,
# run it on the ASP.NET runtime image. Mount your own settings over /app/config.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Gateway/Gateway.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
COPY --from=build /src/artifacts/demo-backend ./artifacts/demo-backend
COPY config ./config
# Inside a container, listen beyond loopback so that published ports reach the gateway.
ENV Gateway__Proxy__Urls=http://0.0.0.0:8080 \
    Gateway__Admin__Urls=http://0.0.0.0:9090
EXPOSE 8080 9090
VOLUME ["/app/config"]
ENTRYPOINT ["dotnet", "Gateway.dll", "--config", "/app/config/appsettings.json"]
