#!/bin/sh
# snippets from the on-call runbook
curl -s -H 'Authorization: Token ⟦auth-header|password-assignment⟧{{opaque:40}}⟦/⟧' https://api.example.com/v1/status
curl -sS -H "X-API-Key: ⟦password-assignment|auth-header⟧{{opaque:32}}⟦/⟧" "https://metrics.example.net/api/query?q=up"
curl -H "Authorization: Bearer ⟦auth-header⟧{{opaque:48}}⟦/⟧" -H "Accept: application/json" https://hooks.example.org/run
curl -u admin:⟦password-assignment|url-password|auth-header⟧{{password}}⟦/⟧ https://jenkins.example.com/api/json
curl --header 'PRIVATE-TOKEN: ⟦gitlab-token⟧{{glpat}}⟦/⟧' https://gitlab.example.com/api/v4/projects
curl -H 'x-auth-token: ⟦password-assignment|auth-header⟧{{hex:40}}⟦/⟧' https://cloud.example.io/v3/servers
curl -H 'If-None-Match: "{{sha1}}"' -H 'X-Request-Id: {{uuid}}' https://api.example.com/v1/items
mysql -h db.internal -u root -p⟦password-assignment⟧{{password}}⟦/⟧ -e 'show databases'
psql "postgresql://report:⟦database-url|password-assignment|url-password⟧{{password}}⟦/⟧@pg.internal/report" -c 'select 1'
./deploy.sh --env prod --password ⟦password-assignment⟧{{password}}⟦/⟧ --verbose
vault login -method=userpass username=ops password=⟦password-assignment⟧{{password}}⟦/⟧
docker login -u ci-bot --password ⟦password-assignment⟧{{password}}⟦/⟧ registry.example.com
htpasswd -b /etc/nginx/.htpasswd alice ⟦password-assignment⟧{{password}}⟦/⟧
git clone https://github.com/example/tools.git --depth 1
