// Runs inside a stand-in utility process (a child_process.fork): gives the script Electron's
// `process.parentPort` (postMessage, and 'message' events of the form {data, ports}) instead of
// process.send, then loads it. As in Electron, the process does not outlive its parent.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const [script, ...args] = process.argv.slice(2);
const send = process.send.bind(process);
process.send = undefined;

const parentPort = new EventEmitter();
parentPort.postMessage = (message) => {
  if (process.connected) send({ standIn: 'message', data: message });
};
parentPort.start = () => {};
// As in Electron, the port starts delivering when its first 'message' listener is added: messages
// that arrive before (while the script loads) wait in a queue (Electron's lib/utility/init.ts).
const queued = [];
let started = false;
const deliver = (data) => parentPort.emit('message', { data, ports: [] });
parentPort.on('newListener', (event) => {
  if (event !== 'message' || started) return;
  started = true;
  queueMicrotask(() => {
    for (const data of queued.splice(0)) deliver(data);
  });
});
process.on('message', (envelope) => {
  if (envelope?.standIn !== 'message') return;
  if (started && queued.length === 0) deliver(envelope.data);
  else queued.push(envelope.data);
});
process.on('disconnect', () => process.exit(0));
Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: false });
process.argv = [process.argv[0], script, ...args];

await import(pathToFileURL(script).href);
send({ standIn: 'loaded' });
