// Exact rationals over BigInt (spec §3.3 "rational", §9). No floating point.

export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new RangeError("zero denominator");
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    return new Rational(n / g, d / g);
  }

  /** Parses the spec's form `N/D` in lowest terms; returns null when not in that exact form. */
  static parse(s: string): Rational | null {
    const m = /^(-?)(0|[1-9][0-9]*)\/([1-9][0-9]*)$/.exec(s);
    if (!m) return null;
    const n = BigInt(m[2]);
    const d = BigInt(m[3]);
    if (m[1] === "-" && n === 0n) return null;
    if (gcd(n, d) !== 1n) return null;
    return new Rational(m[1] === "-" ? -n : n, d);
  }

  cmp(o: Rational): number {
    const a = this.num * o.den;
    const b = o.num * this.den;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  toString(): string {
    return `${this.num}/${this.den}`;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a === 0n ? 1n : a;
}

/** The mean of integers, exactly. */
export function mean(xs: readonly number[]): Rational {
  let s = 0n;
  for (const x of xs) s += BigInt(x);
  return Rational.of(s, BigInt(xs.length));
}
