// Drives a dispatch console in headless Chromium for BrowserConsoleTests.
//   node console.mjs <page-port> <chromium-executable>
// Serves page.html and the @microsoft/signalr browser bundle on http://127.0.0.1:<page-port> (an origin other than the API's,
// as a real console's), opens it in Chromium, then reads one JSON command per line on stdin:
//   {"id":1,"op":"connect","name":"c1","url":"http://127.0.0.1:5000/hubs/dispatch","token":"...","transport":"WebSockets"}
//   {"id":2,"op":"invoke","name":"c1","method":"Subscribe","args":["district"]}
//   {"id":3,"op":"setToken","name":"c1","token":"..."}   (what the connection's accessTokenFactory returns from now on)
//   {"id":4,"op":"stop","name":"c1"}
// and answers each with {"reply":id,"ok":true,"result":...} or {"reply":id,"ok":false,"error":"..."}. Pushes from the server
// are printed as they come: {"event":"Delta","connection":"c1","payload":[...]}, {"event":"closed",...}, and with
// "reconnect":true on connect (withAutomaticReconnect) {"event":"reconnecting",...} and {"event":"reconnected",...}. "ready" is printed once
// the page has loaded; stdin closing ends it.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";

const [pagePort, executablePath] = process.argv.slice(2);
if (!pagePort || !executablePath) {
  console.error("usage: node console.mjs <page-port> <chromium-executable>");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const files = {
  "/": ["page.html", "text/html; charset=utf-8"],
  "/signalr.min.js": ["node_modules/@microsoft/signalr/dist/browser/signalr.min.js", "text/javascript"],
};
const server = createServer(async (req, res) => {
  const file = files[req.url];
  if (!file) { res.writeHead(404).end(); return; }
  res.writeHead(200, { "content-type": file[1] }).end(await readFile(join(here, file[0])));
});
await new Promise((resolve, reject) => server.once("error", reject).listen(Number(pagePort), "127.0.0.1", resolve));

const print = message => process.stdout.write(JSON.stringify(message) + "\n");
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage();
page.on("pageerror", error => print({ event: "pageerror", error: String(error) }));
await page.exposeFunction("report", print);
await page.goto(`http://127.0.0.1:${pagePort}/`);
print({ event: "ready", origin: `http://127.0.0.1:${pagePort}` });

const ops = {
  connect: c => page.evaluate(([n, u, t, tr, r]) => window.hub.connect(n, u, t, tr, r), [c.name, c.url, c.token, c.transport ?? null, c.reconnect ?? false]),
  setToken: c => page.evaluate(([n, t]) => window.hub.setToken(n, t), [c.name, c.token]),
  invoke: c => page.evaluate(([n, m, a]) => window.hub.invoke(n, m, a), [c.name, c.method, c.args ?? []]),
  stop: c => page.evaluate(n => window.hub.stop(n), c.name),
};
const pending = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  pending.push((async () => {
    try {
      print({ reply: command.id, ok: true, result: (await ops[command.op](command)) ?? null });
    } catch (error) {
      print({ reply: command.id, ok: false, error: String(error?.message ?? error) });
    }
  })());
}
await Promise.allSettled(pending);
await browser.close();
server.close();
