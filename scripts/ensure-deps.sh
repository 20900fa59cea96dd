# Sourced by the entry scripts: installs the npm packages when they are missing.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)..."
  JOBS=max npm ci --no-audit --no-fund
fi
