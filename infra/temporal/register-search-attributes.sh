#!/usr/bin/env bash
# Registers Handoff's search attributes (docs/contracts/temporal.md) on a Temporal namespace, once per namespace.
# Temporal Cloud: run with `tcld` instead, or in the Cloud UI (Namespaces → Search attributes).
#   TEMPORAL_ADDRESS=host:7233 TEMPORAL_NAMESPACE=handoff infra/temporal/register-search-attributes.sh
set -euo pipefail
temporal=${TEMPORAL_CLI_PATH:-$(command -v temporal || echo "$(dirname "$0")/../../.tools/venv/bin/temporal")}
ns=${TEMPORAL_NAMESPACE:-default}
address=${TEMPORAL_ADDRESS:-127.0.0.1:7233}
while read -r name type; do
  "$temporal" operator search-attribute create --address "$address" --namespace "$ns" --name "$name" --type "$type" ||
    echo "  ($name may already exist)"
done <<'LIST'
HandoffStage Keyword
HandoffKind Keyword
HandoffOwner Keyword
HandoffTeam Keyword
HandoffSlaStatus Keyword
HandoffRecycleReason Keyword
HandoffPolicyVersion Keyword
HandoffSyncError Keyword
HandoffQualifiedAt Datetime
HandoffSlaDueAt Datetime
HandoffFirstTouchAt Datetime
HandoffBreaches Int
HandoffContactAttempts Int
HandoffFitScore Double
HandoffIntentScore Double
LIST
