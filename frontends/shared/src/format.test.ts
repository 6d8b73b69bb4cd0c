import { describe, expect, it } from "vitest";

import {
  formatDate,
  formatMinutes,
  formatMoney,
  formatNumber,
  formatPercent,
  monthPeriod,
  overtimeMinutes,
  periodLength,
  previousPeriod,
  relativeChange,
  shiftMonth,
} from "./format";

// expected values written by hand from the rules (pt-BR: "." thousands, "," decimals, R$ before)
describe("hh:mm", () => {
  it("pads hours and minutes", () => {
    expect(formatMinutes(485)).toBe("08:05");
    expect(formatMinutes(0)).toBe("00:00");
  });
  it("keeps the sign of a negative balance", () => {
    expect(formatMinutes(-30)).toBe("-00:30");
    expect(formatMinutes(-61)).toBe("-01:01");
  });
  it("lets hours pass 24 (a month's hour bank)", () => {
    expect(formatMinutes(6000)).toBe("100:00");
  });
  it("shows a dash for a value the API leaves null (needs review)", () => {
    expect(formatMinutes(null)).toBe("—");
  });
});

describe("pt-BR formats", () => {
  it("money in reais", () => {
    expect(formatMoney(1234.5).replace(/\s/g, " ")).toBe("R$ 1.234,50");
    expect(formatMoney(1234.5, "en")).toBe("R$1,234.50");
  });
  it("numbers and percentages", () => {
    expect(formatNumber(1234567)).toBe("1.234.567");
    expect(formatNumber(2.5, "pt-BR", 1)).toBe("2,5");
    expect(formatPercent(0.1234)).toBe("12,3%");
  });
  it("dates without shifting the day", () => {
    expect(formatDate("2018-03-01")).toBe("01/03/2018");
    expect(formatDate("2018-03-01", "en")).toBe("03/01/2018");
  });
});

describe("period comparison", () => {
  it("the previous period has the same length and ends the day before", () => {
    expect(previousPeriod({ from: "2018-03-01", to: "2018-03-31" })).toEqual({ from: "2018-01-29", to: "2018-02-28" });
    expect(periodLength({ from: "2018-03-01", to: "2018-03-31" })).toBe(31);
  });
  it("crosses a leap day", () => {
    expect(previousPeriod({ from: "2020-03-01", to: "2020-03-07" })).toEqual({ from: "2020-02-23", to: "2020-02-29" });
  });
  it("relative change, and none against zero", () => {
    expect(relativeChange(150, 100)).toBeCloseTo(0.5);
    expect(relativeChange(50, 100)).toBeCloseTo(-0.5);
    expect(relativeChange(10, 0)).toBeNull();
  });
  it("months", () => {
    expect(monthPeriod("2024-02")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(shiftMonth("2024-01", -1)).toBe("2023-12");
    expect(shiftMonth("2024-12", 1)).toBe("2025-01");
  });
});

describe("overtimeMinutes", () => {
  it("adds the 50 % and the 100 % minutes, a missing part counting 0", () => {
    expect(overtimeMinutes({ overtime_50_minutes: 30, overtime_100_minutes: 45 })).toBe(75);
    expect(overtimeMinutes({ overtime_50_minutes: null, overtime_100_minutes: 20 })).toBe(20);
    expect(overtimeMinutes({})).toBe(0);
  });
});
