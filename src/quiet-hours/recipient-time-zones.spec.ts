import { RecipientTimeZones } from './recipient-time-zones';

describe(RecipientTimeZones.name, () => {
  const zones = RecipientTimeZones.load();

  it('should find the zone of a US number from its area code', () => {
    expect(zones.zoneOf('+12125550123', 'US')).toEqual({ zone: 'America/New_York', exact: true });
    expect(zones.zoneOf('+14155550123', 'US')).toEqual({ zone: 'America/Los_Angeles', exact: true });
    expect(zones.zoneOf('+13125550123', 'US')).toEqual({ zone: 'America/Chicago', exact: true });
    expect(zones.zoneOf('+18085550123', 'US')).toEqual({ zone: 'Pacific/Honolulu', exact: true });
  });

  it('should settle a prefix listing several names of one clock without counting it as a guess', () => {
    expect(zones.zoneOf('+447700900123', 'GB')).toEqual({ zone: 'Europe/London', exact: true });
    expect(zones.zoneOf('+919812345678', 'IN').exact).toBe(true);
  });

  it('should take one of the listed zones, counted as assumed, when an area code spans two clocks', () => {
    expect(zones.zoneOf('+16052005555', 'US')).toEqual({ zone: 'America/Denver', exact: false });
  });

  it("should assume the country's most populous zone when the prefix spans several clocks", () => {
    const map = new RecipientTimeZones({
      '1': 'America/Los_Angeles&America/New_York',
      '1212': 'America/New_York',
      '7': 'Asia/Vladivostok&Europe/Moscow',
    });
    expect(map.zoneOf('+12125550123', 'US')).toEqual({ zone: 'America/New_York', exact: true });
    expect(map.zoneOf('+19995550123', 'US')).toEqual({ zone: 'America/New_York', exact: false });
    expect(map.zoneOf('+79995550123', 'RU')).toEqual({ zone: 'Europe/Moscow', exact: false });
    expect(map.zoneOf('+33612345678', 'FR')).toEqual({ zone: 'Europe/Paris', exact: false });
  });
});
