export function SearchField({
  value,
  onChange,
  label,
  placeholder,
  id,
}: {
  value: string;
  onChange: (v: string) => void;
  label: string;
  placeholder?: string;
  id?: string;
}) {
  return (
    <input
      id={id}
      className="input search-input"
      type="search"
      aria-label={label}
      placeholder={placeholder ?? label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
