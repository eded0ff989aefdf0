// Number formatting for labels. (toLocaleString is slow: its first call loads locale data.)

/** 1234567 → "1,234,567". */
export const groupDigits = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
