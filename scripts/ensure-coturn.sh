# Sourced by the test script: the TURN tests start a real coturn (Debian's `turnserver`).
TURNSERVER_PATH="${TURNSERVER_PATH:-/usr/bin/turnserver}"
if [ ! -x "$TURNSERVER_PATH" ] && command -v turnserver >/dev/null 2>&1; then
  TURNSERVER_PATH="$(command -v turnserver)"
fi
if [ ! -x "$TURNSERVER_PATH" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing coturn (apt-get install coturn)..."
    apt_update_once && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends coturn >/dev/null
    TURNSERVER_PATH="$(command -v turnserver)"
  else
    echo "coturn is missing: run 'sudo apt-get update && sudo apt-get install -y coturn' (or set TURNSERVER_PATH), then npm test" >&2
    exit 1
  fi
fi
export TURNSERVER_PATH
