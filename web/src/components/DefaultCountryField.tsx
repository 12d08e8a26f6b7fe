/** The ISO country national numbers are read in (upper-cased as typed), as sendBulk and addSuppressions take it. */
export function DefaultCountryField({
  value,
  onChange,
  label = 'Default country (for national numbers)',
}: {
  value: string;
  onChange: (country: string) => void;
  label?: string;
}) {
  return (
    <label>
      {label}
      <input
        value={value}
        maxLength={2}
        placeholder="US"
        pattern="[A-Za-z]{2}"
        onInput={(e) => onChange(e.currentTarget.value.toUpperCase())}
        name="defaultCountry"
      />
    </label>
  );
}
