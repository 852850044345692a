export function App() {
  return (
    <main>
      <h1>Fledge</h1>
      <p>Starting…</p>
    </main>
  );
}
