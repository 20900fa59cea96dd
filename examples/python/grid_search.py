"""Grid search on a Tessera swarm from Python, with only the standard library.

Usage: TESSERA_TOKEN=$(npx tessera token --room lab) python3 grid_search.py [http://localhost:8787] [lab]
The function travels as JavaScript source; donors (browser tabs, hosts) run it.
"""
import itertools, json, os, sys, urllib.request

URL = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8787"
ROOM = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("TESSERA_ROOM", "default")
HEADERS = {"Authorization": "Bearer " + os.environ["TESSERA_TOKEN"], "Content-Type": "application/json"}

# Score one point of the grid: a toy loss, lowest at lr=0.1, depth=6.
SOURCE = """({ lr, depth }) => {
  let loss = 0
  for (let i = 1; i <= 2000; i++) loss += Math.abs(Math.log10(lr) + 1) / i + Math.abs(depth - 6) / (i * i)
  return { lr, depth, loss }
}"""
grid = [{"lr": lr, "depth": d} for lr, d in itertools.product([0.001, 0.01, 0.1, 1.0], [2, 4, 6, 8])]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    return urllib.request.urlopen(urllib.request.Request(URL + path, data, HEADERS, method=method))


job = json.load(call("POST", "/api/jobs", {"room": ROOM, "name": "py:grid-score", "source": SOURCE, "args": grid}))
print(f"job {job['id']}: {len(grid)} calls")
results, event, hinted = [], None, False
with call("GET", job["events"]) as stream:  # server-sent events, one line at a time
    for line in (raw.decode().rstrip("\n") for raw in stream):
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "progress":
            p = json.loads(line[6:])
            print(f"progress {p['done']}/{p['total']} running {p['running']} failed {p['failed']} workers {p['workers']}", flush=True)
            if p["workers"] == 0 and not hinted:  # nobody to compute: the calls wait for a donor
                print(f"workers 0: open {URL}/?room={ROOM} in a browser tab to donate it", flush=True)
                hinted = True
        elif line.startswith("data: ") and event == "result":
            results.append(json.loads(line[6:]))
        elif line.startswith("data: ") and event == "end":
            print("state", json.loads(line[6:])["state"])
            break
best = min((r["value"] for r in results if r["ok"]), key=lambda v: v["loss"])
print(f"best lr={best['lr']} depth={best['depth']} loss={best['loss']:.4f} ({len(results)} results)")
