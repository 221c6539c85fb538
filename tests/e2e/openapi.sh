# openapi.sh: docs/openapi.json describes exactly the routes the server has.
. "$(dirname "$0")/lib.sh"
need jq

run test-routes
expect_status 0 "the route table can be listed"
sort out > table
jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | select(. != "parameters") | "\(ascii_upcase) \($p)"' \
    "$REFUGE_SOURCE/docs/openapi.json" | sort > documented
if cmp -s table documented; then
    ok "docs/openapi.json lists the same routes as the route table"
else
    not_ok "docs/openapi.json lists the same routes as the route table" "$(diff table documented | head -20)"
fi
jq -e '.openapi | startswith("3.1")' "$REFUGE_SOURCE/docs/openapi.json" >/dev/null && ok "it is OpenAPI 3.1" || not_ok "it is OpenAPI 3.1"
finish
