# Sourced by the test script: the deploy layout test (packages/host/test/deploy-layout.e2e.test.ts)
# runs Debian's nginx in the foreground with its own prefix in a temp dir, and makes its
# certificate with openssl. Installed only when missing; the system's nginx is never started.
NGINX_PATH="${NGINX_PATH:-/usr/sbin/nginx}"
if [ ! -x "$NGINX_PATH" ] && command -v nginx >/dev/null 2>&1; then
  NGINX_PATH="$(command -v nginx)"
fi
if [ ! -x "$NGINX_PATH" ] || ! command -v openssl >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing nginx and openssl (apt-get install nginx openssl)..."
    # policy-rc.d may refuse to start the service, which is what we want: only the tests run it.
    apt_update_once && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx openssl >/dev/null
    NGINX_PATH="$(command -v nginx || echo /usr/sbin/nginx)"
  else
    echo "nginx is missing: run 'sudo apt-get update && sudo apt-get install -y nginx openssl' (or set NGINX_PATH), then npm test" >&2
    exit 1
  fi
fi
export NGINX_PATH
