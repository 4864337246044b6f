import { formatMoney, minorExponent, minorToDecimalString, parseAmountToMinor } from "./money";

describe("money", () => {
  it("knows minor-unit exponents", () => {
    expect(minorExponent("USD")).toBe(2);
    expect(minorExponent("JPY")).toBe(0);
    expect(minorExponent("BHD")).toBe(3);
  });
  it("turns minor units into exact decimal strings", () => {
    expect(minorToDecimalString(123456, "USD")).toBe("1234.56");
    expect(minorToDecimalString(-5, "EUR")).toBe("-0.05");
    expect(minorToDecimalString("900719925474099312", "USD")).toBe("9007199254740993.12");
    expect(minorToDecimalString(1234, "JPY")).toBe("1234");
  });
  it("formats per currency and locale", () => {
    expect(formatMoney(123456, "USD", "en-US")).toBe("$1,234.56");
    expect(formatMoney(1234, "JPY", "en-US")).toBe("¥1,234");
    expect(formatMoney(1234567, "BHD", "en-US")).toContain("1,234.567");
    expect(formatMoney(123456, "EUR", "fi-FI").replace(/\s/g, " ")).toBe("1 234,56 €");
    expect(formatMoney(-250, "USD", "en-US", { signDisplay: "exceptZero" })).toBe("-$2.50");
  });
  it("parses typed amounts without floats", () => {
    expect(parseAmountToMinor("12.34", "USD")).toBe(1234);
    expect(parseAmountToMinor("12,3", "EUR")).toBe(1230);
    expect(parseAmountToMinor("1,234.50", "USD")).toBe(123450);
    expect(parseAmountToMinor("1 234,50", "EUR")).toBe(123450);
    expect(parseAmountToMinor("0.1", "USD")).toBe(10);
    expect(parseAmountToMinor("5", "JPY")).toBe(5);
    expect(parseAmountToMinor("abc", "USD")).toBeNull();
    expect(parseAmountToMinor("", "USD")).toBeNull();
  });
});
