#!/usr/bin/env bash
# Drive the Sefton Day Opportunities case from draft to active with curl, as the README shows.
# Start the service first (README, "Try it with curl"), then: bash docs/sefton-walkthrough.sh
set -euo pipefail
API="${API:-http://127.0.0.1:8000/api/v1}"
ADMIN_TOKEN="${ADMIN_TOKEN:?set ADMIN_TOKEN to the COUNCILFLOW_ADMIN_TOKEN the service started with}"
JSON="Content-Type: application/json"
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
call() { # call TOKEN METHOD PATH [BODY]
  curl -sS --fail-with-body -X "$2" "$API$3" -H "Authorization: Bearer $1" -H "$JSON" ${4:+-d "$4"}
}

# 1. The admin creates four people; each token is shown once.
person() { call "$ADMIN_TOKEN" POST /users "$1"; }
officer=$(person '{"name":"Sam Officer","email":"sam@sefton.example.gov.uk","roles":["officer"],"directorate":"Adult Social Care"}')
clerk=$(person '{"name":"Dee Services","email":"dee@sefton.example.gov.uk","roles":["democratic_services"],"directorate":null}')
executive=$(person '{"name":"Eve Director","email":"eve@sefton.example.gov.uk","roles":["executive"],"directorate":"Adult Social Care"}')
member=$(person '{"name":"Cllr Cara Member","email":"cara@sefton.example.gov.uk","roles":["cabinet_member"],"directorate":null}')
OFFICER=$(field '["token"]' <<<"$officer"); CLERK=$(field '["token"]' <<<"$clerk")
EXEC=$(field '["token"]' <<<"$executive"); EXEC_ID=$(field '["id"]' <<<"$executive")
MEMBER_ID=$(field '["id"]' <<<"$member")

# 2. The officer registers a contract and drafts the case (1 Aug 2024, Cabinet on 5 Sep).
AGREEMENT=$(call "$OFFICER" POST /agreements '{"reference":"SEFTON-DAYOPS-01","title":"Day Opportunities - Fictional Provider 01 Ltd","kind":"contract","counterparty":"Fictional Provider 01 Ltd","directorate":"Adult Social Care","annual_value_pence":19500000,"start_date":"2019-10-01","end_date":"2024-09-30","procurement_regime":"pcr2015","procurement_started_on":"2019-03-01","light_touch":true,"contract_type":"services","award_value_pence":97500000,"award_max_months":60,"extension_options_months":null}' | field '["id"]')
CASE=$(call "$OFFICER" POST /cases '{"kind":"extension","title":"Day Opportunities contracts: extension","directorate":"Adult Social Care","agreement_ids":['"$AGREEMENT"'],"meeting_date":"2024-09-05","agenda_item":"6","key_decision":true,"forward_plan_published_on":"2024-07-31","proposal":{"start_date":"2024-10-01","initial_months":6,"max_months":12,"ground":"unforeseeable"},"report":{"summary":"Extend to allow a compliant procurement.","options":[{"label":"Let the contracts end","description":"Expire on 30 Sep.","rejected_reason":"Service users would lose their day services."},{"label":"Extend","description":"Six months, and six more under delegation."}],"recommended_option":"Extend","reasons":"Buys time for a compliant procurement.","financial_implications":"Within the existing budget."}}' | field '["id"]')
echo "case $CASE drafted"

# 3. Submit to Cabinet.
call "$OFFICER" POST "/cases/$CASE/events/submit" '{}' | field '["state"]'

# 4. 6 Sep: democratic services record Cabinet's resolution: Cabinet itself approved the first
#    six months; the delegation covers only the further six (issue 12).
call "$ADMIN_TOKEN" POST /admin/clock '{"now":"2024-09-06T09:00:00+01:00"}' >/dev/null
call "$CLERK" POST "/cases/$CASE/events/approve" '{"resolution":"Extend for an initial six months; any extension beyond it delegated to the Executive Director of Adult Social Care in consultation with the Cabinet Member.","decided_on":"2024-09-05","notice_published_on":"2024-09-06","cabinet_months":6,"delegate_id":'"$EXEC_ID"',"consultee_id":'"$MEMBER_ID"',"max_months":12}' | field '["state"]'

# 5. The delegate cannot sign off Cabinet's own six months (409, every failing guard named).
curl -sS -X POST "$API/cases/$CASE/events/sign_off" -H "Authorization: Bearer $EXEC" -H "$JSON" \
  -d '{"months":6,"reasons":"Continuity.","conflicts_of_interest":"None"}' | field '["guards"]'

# 6. 16 Sep: call-in is over; the scheduler's pass starts Cabinet's six months.
call "$ADMIN_TOKEN" POST /admin/clock '{"now":"2024-09-16T09:00:00+01:00"}' >/dev/null
call "$ADMIN_TOKEN" POST /admin/tick '{}' >/dev/null
call "$OFFICER" GET "/cases/$CASE" | field '["state"]'
call "$OFFICER" GET "/cases/$CASE" | field '["term"]'

# 7. 2 Dec: the officer asks for the further six months; the executive consults the Cabinet
#    Member and signs them off.
call "$ADMIN_TOKEN" POST /admin/clock '{"now":"2024-12-02T09:00:00Z"}' >/dev/null
call "$OFFICER" POST "/cases/$CASE/events/extend" '{"months":6,"reasons":"The procurement runs on."}' | field '["state"]'
call "$EXEC" POST "/cases/$CASE/consultations" '{"consultee_id":'"$MEMBER_ID"',"consulted_on":"2024-12-02","response":"Agreed."}' >/dev/null
call "$EXEC" POST "/cases/$CASE/events/sign_off" '{"months":6,"reasons":"Continuity while we re-procure.","conflicts_of_interest":"None"}' | field '["state"]'
call "$OFFICER" GET "/cases/$CASE" | field '["term"]'
call "$OFFICER" GET "/cases/$CASE/decision-record" | field '["decision"]'
