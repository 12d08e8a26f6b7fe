/** The ISO country national numbers are read in (upper-cased as typed), as sendBulk and addSuppressions take it. */
export function DefaultCountryField({ value, onChange }: { value: string; onChange: (country: string) => void }) {
  return (
    <label>
      Default country (for national numbers)
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
