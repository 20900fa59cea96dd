# Sourced before the ensure-*.sh scripts: a fresh machine may miss several of the servers the
# tests start, and each `apt-get update` costs tens of seconds, so the package lists are
# fetched once per run, by the first install that needs them.
apt_update_once() {
  if [ -z "${TESSERA_APT_UPDATED:-}" ]; then
    apt-get update -qq || return 1
    TESSERA_APT_UPDATED=1
  fi
}
