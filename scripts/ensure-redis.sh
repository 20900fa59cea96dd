# Sourced by the test script: the signaling cluster tests start Debian's redis-server
# (on a free port, nothing saved to disk; each test stops what it starts).
if ! command -v "${REDIS_SERVER:-redis-server}" >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing redis-server (apt-get install redis-server)..."
    apt_update_once && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "redis-server is missing: run 'sudo apt-get update && sudo apt-get install -y redis-server' (or set REDIS_SERVER), then npm test" >&2
    exit 1
  fi
fi
