// The journeys of journeys.py (`Morning`, `signins`), driven from Node instead of Python threads.
//
// The load client shares the machine's two cores with the gunicorn nodes it measures; the
// Python one (http.client, one thread per person) costs tens of milliseconds of CPU per
// visit, which it takes from the nodes. This one does the same requests in one event loop,
// with Node's built-in http module only (no npm dependency).
//
// Reads on stdin, as JSON: {journey: "morning" | "signin", host, ports, people, seconds,
// identifiers, contacts, password, typos, resets}; `people` visit at once, back to back,
// for `seconds`. Prints on stdout, as JSON: {ok, failed, requests, seconds, cpu_seconds,
// p50, p90, p99, latencies} (seconds; cpu_seconds: this process's user + system CPU during
// the measured time, start-up excluded).
//
// Same people as the Python drivers: person `slot` at iteration `n` has the address, the
// node and (with Python's Mersenne Twister, reproduced below) the account and the dice of
// journeys.py for the same (slot, n).
import http from "node:http";

const SIGNED_IN = 302;
const CSRF_INPUT = /name="csrfmiddlewaretoken" value="([^"]+)"/;
const CSRF_MARK = Buffer.from('name="csrfmiddlewaretoken"');
const USER_AGENT = "Mozilla/5.0 (peak bench)";
const TIMEOUT_MS = 60_000;

// --- Python's random.Random(seed) for a non-negative int seed: randrange(n), random() ---------

class PythonRandom {
  constructor(seed) {
    const key = [];
    for (let rest = BigInt(seed); rest > 0n; rest >>= 32n) key.push(Number(rest & 0xffffffffn));
    this.mt = new Uint32Array(624);
    this.index = 624;
    this.initByArray(key.length ? key : [0]);
  }

  initGenrand(s) {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const p = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, p) + i) >>> 0;
    }
  }

  initByArray(key) {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k; k--) {
      const p = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(p, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k; k--) {
      const p = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(p, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  uint32() {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let kk = 0; kk < 624; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % 624] & 0x7fffffff);
        mt[kk] = mt[(kk + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  random() {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  randrange(n) {
    // Python's _randbelow_with_getrandbits: k bits at a time until one is below n (n < 2**32).
    const k = 32 - Math.clz32(n);
    for (;;) {
      const r = this.uint32() >>> (32 - k);
      if (r < n) return r;
    }
  }
}

// --- One person's browser: its cookies, one kept-alive connection, no redirects followed ------

function address(slot, n) {
  const k = slot * 100_003 + n;
  return `10.${Math.floor(k / 65536) & 255}.${(k >> 8) & 255}.${k & 255}`;
}

class Browser {
  constructor(host, port, ip) {
    this.host = host;
    this.port = port;
    this.ip = ip;
    this.cookies = new Map();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  async request(method, path, form, keep = false) {
    const headers = { "X-Forwarded-For": this.ip, "User-Agent": USER_AGENT };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      headers["Content-Length"] = Buffer.byteLength(body);
    }
    // A kept-alive connection the server closed meanwhile: once more, as the Python browser.
    try {
      return await this.once(method, path, headers, body, keep);
    } catch {
      return await this.once(method, path, headers, body, keep);
    }
  }

  once(method, path, headers, body, keep) {
    counts.requests++;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent });
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.on("response", (res) => {
        for (const cookie of res.headers["set-cookie"] || []) {
          const pair = cookie.split(";", 1)[0];
          const at = pair.indexOf("=");
          if (at >= 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
        }
        const chunks = [];
        res.on("data", (chunk) => keep && chunks.push(chunk));
        res.on("end", () => resolve([res.statusCode, keep ? Buffer.concat(chunks) : null]));
        res.on("error", reject);
      });
      req.end(body);
    });
  }

  async form(path, fields) {
    // GET the page, then POST its form with the CSRF token and `fields`; the POST's status.
    const [status, page] = await this.request("GET", path, null, true);
    const at = page.indexOf(CSRF_MARK);
    const found = at >= 0 && CSRF_INPUT.exec(page.toString("latin1", at, at + 200));
    if (status !== 200 || !found) return status || 599;
    return (await this.request("POST", path, { csrfmiddlewaretoken: found[1], ...fields }))[0];
  }

  close() {
    this.agent.destroy();
  }
}

// --- The journeys -------------------------------------------------------------------------------

function signIn(browser, identifier, password) {
  return browser.form("/login/", { identifier, password });
}

const journeys = {
  // One full sign-in, a fresh browser each time (no device cookie: a first visit).
  async signin(given, slot, n) {
    const browser = new Browser(given.host, given.ports[(slot + n) % given.ports.length], address(slot, n));
    try {
      const identifier = given.identifiers[(slot * 7919 + n) % given.identifiers.length];
      return (await signIn(browser, identifier, given.password)) === SIGNED_IN;
    } finally {
      browser.close();
    }
  },

  // home → sign-in → « Mes services », some typing a wrong password first, some asking for a
  // reset code first: journeys.Morning, request for request.
  async morning(given, slot, n) {
    const rng = new PythonRandom(slot * 1_000_003 + n);
    const person = rng.randrange(given.identifiers.length);
    const identifier = given.identifiers[person];
    const browser = new Browser(given.host, given.ports[(slot + n) % given.ports.length], address(slot, n));
    try {
      let ok = (await browser.request("GET", "/"))[0] === 200;
      if (rng.random() < given.typos) {
        ok = (await signIn(browser, identifier, given.password + "x")) === 200 && ok;
      }
      if (rng.random() < given.resets) {
        const fields = { identifier, channel: "email", contact: given.contacts[person] };
        ok = (await browser.form("/password/reset/", fields)) === 200 && ok;
      }
      ok = (await signIn(browser, identifier, given.password)) === SIGNED_IN && ok;
      return ok && (await browser.request("GET", "/services/"))[0] === 200;
    } finally {
      browser.close();
    }
  },
};

// --- The driver: `people` loops, back to back until the deadline -------------------------------

const counts = { ok: 0, failed: 0, requests: 0 };

function percentile(sorted, pct) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * pct) / 100))] : 0;
}

async function drive(given) {
  const journey = journeys[given.journey];
  if (!journey) throw new Error(`unknown journey ${given.journey}`);
  const latencies = [];
  const errors = {};
  const cpu = process.cpuUsage();
  const began = performance.now();
  const deadline = began + given.seconds * 1000;
  const person = async (slot) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const start = performance.now();
      let ok = false;
      try {
        ok = await journey(given, slot, n);
      } catch (error) {
        errors[error.code || error.message] = (errors[error.code || error.message] || 0) + 1;
      }
      latencies.push((performance.now() - start) / 1000);
      counts[ok ? "ok" : "failed"]++;
    }
  };
  await Promise.all(Array.from({ length: given.people }, (_, slot) => person(slot)));
  const seconds = (performance.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    ...counts,
    seconds,
    cpu_seconds: (used.user + used.system) / 1e6,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    latencies,
    errors,
  };
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const given = { host: "127.0.0.1", typos: 0.1, resets: 0.05, contacts: [], ...JSON.parse(input) };
  process.stdout.write(JSON.stringify(await drive(given)) + "\n");
});
