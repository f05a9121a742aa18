#!/bin/sh
# snippets from the on-call runbook
curl -s -H 'Authorization: Token ⟦auth-header|password-assignment⟧GDqeNKwEeTgVulnCcBuAs04Na8xlrP7K94vFOBx6⟦/⟧' https://api.example.com/v1/status
curl -sS -H "X-API-Key: ⟦password-assignment|auth-header⟧XvI9F10Gk9lts7NSHzNt91Ok8CYIIz5n⟦/⟧" "https://metrics.example.net/api/query?q=up"
curl -H "Authorization: Bearer ⟦auth-header⟧vrHP6qPsOUfm1t4Tm9bGClqcq9XZwQ34B1mplmPQnhdksbnS⟦/⟧" -H "Accept: application/json" https://hooks.example.org/run
curl -u admin:⟦password-assignment|url-password|auth-header⟧XfWvugavByT6QMb47dsiDA⟦/⟧ https://jenkins.example.com/api/json
curl --header 'PRIVATE-TOKEN: ⟦gitlab-token⟧glpat-57SHhUSa8_dV2ShQEWCK⟦/⟧' https://gitlab.example.com/api/v4/projects
curl -H 'x-auth-token: ⟦password-assignment|auth-header⟧02dc4088d560db6ffcafc8a1c6d5c12a111461f4⟦/⟧' https://cloud.example.io/v3/servers
curl -H 'If-None-Match: "79d8a5d8eb70082891c6c0eecd0fd9af0ea631ce"' -H 'X-Request-Id: bc977062-883b-4c2f-80b9-8c660172c025' https://api.example.com/v1/items
mysql -h db.internal -u root -p⟦password-assignment⟧Tundra_Quartz8736⟦/⟧ -e 'show databases'
psql "postgresql://report:⟦database-url|password-assignment|url-password⟧AvVE39EM4ckbaZNCVx⟦/⟧@pg.internal/report" -c 'select 1'
./deploy.sh --env prod --password ⟦password-assignment⟧sspiLIDVlIND09mrd2Tws1HYGwqMHu1s⟦/⟧ --verbose
vault login -method=userpass username=ops password=⟦password-assignment⟧-BZJJTSQy~RS5TiA2R⟦/⟧
docker login -u ci-bot --password ⟦password-assignment⟧V9-p!H4y8Df3Ney0FI_qOSNv⟦/⟧ registry.example.com
htpasswd -b /etc/nginx/.htpasswd alice ⟦password-assignment⟧Falcon.Quartz14⟦/⟧
git clone https://github.com/example/tools.git --depth 1
