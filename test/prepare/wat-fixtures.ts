// WAT programs, one per feature family, each with a `run` export whose result depends on the feature
// working. `v8: false` marks instructions Node 20's V8 does not run by default (decoder-only checks).

export interface WatFixture {
  name: string;
  text: string;
  /** Arguments to pass to `run`. */
  args?: number[];
  /** Imports the fixture needs besides the fuel counter. */
  imports?: () => WebAssembly.Imports;
  v8: boolean;
}

export const WAT_FIXTURES: WatFixture[] = [
  {
    name: 'mvp',
    v8: true,
    args: [50],
    imports: () => ({ env: { base: new WebAssembly.Global({ value: 'i32', mutable: false }, 7) } }),
    text: `(module
      (import "env" "base" (global $base i32))
      (type $bin (func (param i32 i32) (result i32)))
      (memory 1)
      (global $acc (mut i64) (i64.const 0))
      (global $copy i32 (global.get $base))
      (table 16 funcref)
      (elem (global.get $base) $add)
      (data (global.get $base) "xyz")
      (export "acc" (global $acc))
      (elem declare func $sub $mul)
      (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
      (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
      (func $mul (type $bin) (i32.mul (local.get 0) (local.get 1)))
      (func $pick (param $k i32) (result i32)
        (block $c (block $b (block $a
          (br_table $a $b $c (local.get $k)))
          (return (i32.const 10)))
          (return (i32.const 20)))
        (i32.const 30))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $f f64)
        (loop $l
          (local.set $s (call_indirect (type $bin) (local.get $s) (local.get $i) (i32.rem_u (local.get $i) (i32.const 3))))
          (local.set $s (i32.add (local.get $s) (call $pick (i32.rem_u (local.get $i) (i32.const 4)))))
          (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $s))
          (global.set $acc (i64.add (global.get $acc) (i64.extend_i32_u (i32.load (i32.mul (local.get $i) (i32.const 4))))))
          (local.set $f (f64.add (local.get $f) (f64.sqrt (f64.convert_i32_u (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (i32.add
          (i32.add (local.get $s) (i32.wrap_i64 (global.get $acc)))
          (i32.add (global.get $copy) (select (i32.trunc_f64_s (local.get $f)) (i32.const 0) (local.get $n)))))
      (func $init (table.set (i32.const 0) (ref.func $add)) (table.set (i32.const 1) (ref.func $sub))
        (table.set (i32.const 2) (ref.func $mul)))
      (start $init))`,
  },
  {
    name: 'sign-extension and saturating conversions',
    v8: true,
    args: [300],
    text: `(module
      (func (export "run") (param $x i32) (result i32)
        (i32.add
          (i32.add (i32.extend8_s (local.get $x)) (i32.extend16_s (i32.mul (local.get $x) (i32.const 300))))
          (i32.add
            (i32.wrap_i64 (i64.extend32_s (i64.extend_i32_u (local.get $x))))
            (i32.add (i32.trunc_sat_f64_s (f64.const 1e30)) (i32.trunc_sat_f32_u (f32.const -5)))))))`,
  },
  {
    name: 'bulk memory and tables',
    v8: true,
    args: [5],
    text: `(module
      (memory 1)
      (data $d "hello, bulk memory")
      (table $t 8 funcref)
      (elem $e func $one $two)
      (func $one (result i32) i32.const 1)
      (func $two (result i32) i32.const 2)
      (func (export "run") (param $n i32) (result i32)
        (memory.init $d (i32.const 100) (i32.const 0) (i32.const 18))
        (data.drop $d)
        (memory.copy (i32.const 200) (i32.const 100) (i32.const 18))
        (memory.fill (i32.const 300) (local.get $n) (i32.const 10))
        (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 2))
        (elem.drop $e)
        (table.copy (i32.const 4) (i32.const 0) (i32.const 2))
        (i32.add
          (i32.add (i32.load8_u (i32.const 204)) (i32.load8_u (i32.const 305)))
          (call_indirect (result i32) (i32.const 5)))))`,
  },
  {
    name: 'reference types',
    v8: true,
    args: [3],
    text: `(module
      (table $ext 2 externref)
      (table $fn 2 funcref)
      (func $f (result i32) i32.const 42)
      (elem declare func $f)
      (func (export "run") (param $n i32) (result i32) (local $r funcref)
        (drop (table.grow $ext (ref.null extern) (local.get $n)))
        (table.fill $ext (i32.const 0) (ref.null extern) (i32.const 2))
        (local.set $r (ref.func $f))
        (table.set $fn (i32.const 1) (local.get $r))
        (i32.add
          (i32.add (table.size $ext) (ref.is_null (table.get $ext (i32.const 0))))
          (i32.add (call_indirect $fn (result i32) (i32.const 1))
            (ref.is_null (select (result funcref) (ref.null func) (local.get $r) (local.get $n)))))))`,
  },
  {
    name: 'multi-value',
    v8: true,
    args: [9],
    text: `(module
      (type $pair (func (param i32) (result i32 i32)))
      (func $divmod (param i32 i32) (result i32 i32)
        (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
      (func (export "run") (param $n i32) (result i32)
        (local.get $n)
        (block (type $pair) (param i32) (result i32 i32)
          (call $divmod (i32.const 4)))
        (i32.add)
        (local.get $n)
        (loop (param i32) (result i32)
          (i32.const 1) (i32.add))
        (i32.mul)))`,
  },
  {
    name: 'SIMD',
    v8: true,
    args: [4],
    text: `(module
      (memory 1)
      (func (export "run") (param $n i32) (result i32) (local $v v128) (local $i i32)
        (v128.store (i32.const 16) (v128.const i32x4 1 2 3 4))
        (local.set $v (v128.load (i32.const 16)))
        (loop $l
          (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.set $v (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v) (local.get $v)))
        (local.set $v (i32x4.replace_lane 3 (local.get $v) (i32.const 100)))
        (local.set $v (v128.load32_lane 2 (i32.const 16) (local.get $v)))
        (v128.store64_lane 0 (i32.const 64) (local.get $v))
        (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))
          (i32.add (i32.load (i32.const 64))
            (i32.add (i8x16.bitmask (i8x16.gt_s (local.get $v) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))
              (i32x4.extract_lane 0 (f32x4.convert_i32x4_s (v128.load32_zero (i32.const 20)))))))))`,
  },
  {
    name: 'tail calls',
    v8: true,
    args: [1000000],
    text: `(module
      (type $t (func (param i32 i64) (result i64)))
      (table 1 funcref)
      (elem (i32.const 0) $sum_indirect)
      (func $sum (type $t)
        (if (result i64) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call $sum_indirect (i32.sub (local.get 0) (i32.const 1)) (i64.add (local.get 1) (i64.extend_i32_u (local.get 0)))))))
      (func $sum_indirect (type $t)
        (if (result i64) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1))
            (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))) (i32.const 0)))))
      (func (export "run") (param $n i32) (result i32)
        (i32.wrap_i64 (call $sum (local.get $n) (i64.const 0)))))`,
  },
  {
    name: 'exceptions',
    v8: true,
    args: [10],
    text: `(module
      (tag $e (param i32))
      (tag $other)
      (func $thrower (param i32) (if (i32.gt_u (local.get 0) (i32.const 5)) (then (throw $e (local.get 0)))))
      (func $nested (param $n i32) (result i32)
        (try (result i32)
          (do (try (result i32)
            (do (call $thrower (local.get $n)) (i32.const 1))
            (delegate 0)))
          (catch $e (i32.const 100) (i32.add))))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $caught i32)
        (loop $l
          (try
            (do (call $thrower (local.get $i)))
            (catch $e (drop) (local.set $caught (i32.add (local.get $caught) (i32.const 1))))
            (catch_all))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (try (do (try (do (throw $other)) (catch_all (rethrow 0)))) (catch $other (local.set $caught (i32.add (local.get $caught) (i32.const 1000)))))
        (i32.add (local.get $caught) (call $nested (local.get $n)))))`,
  },
  {
    name: 'threads and atomics',
    v8: true,
    args: [6],
    text: `(module
      (memory 1 1 shared)
      (func (export "run") (param $n i32) (result i32) (local $i i32)
        (loop $l
          (drop (i32.atomic.rmw.add (i32.const 8) (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (atomic.fence)
        (i64.atomic.store (i32.const 16) (i64.const 5))
        (i32.add
          (i32.add (i32.atomic.load (i32.const 8)) (memory.atomic.notify (i32.const 8) (i32.const 1)))
          (i32.add (i32.wrap_i64 (i64.atomic.rmw.cmpxchg (i32.const 16) (i64.const 5) (i64.const 9)))
            (i32.atomic.load8_u (i32.const 16))))))`,
  },
  {
    name: 'relaxed SIMD (decoder only)',
    v8: false,
    text: `(module
      (func (export "run") (param v128 v128 v128) (result v128)
        (f32x4.relaxed_madd (local.get 0) (local.get 1)
          (i8x16.relaxed_swizzle (local.get 2) (i32x4.relaxed_trunc_f32x4_s (local.get 0))))))`,
  },
  {
    name: 'try_table and throw_ref (decoder only)',
    v8: false,
    text: `(module
      (tag $e (param i32))
      (func $f (param i32) (throw $e (local.get 0)))
      (func (export "run") (param $n i32) (result i32) (local $i i32)
        (loop $l
          (block $h (result i32)
            (try_table (catch $e $h) (call $f (local.get $i)))
            (i32.const 0))
          (local.set $i (i32.add (local.get $i)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (block $r (result exnref)
          (try_table (catch_all_ref $r) (call $f (i32.const 1)))
          (unreachable))
        (throw_ref)))`,
  },
  {
    name: 'extended constant expressions (decoder only)',
    v8: false,
    text: `(module
      (import "env" "g" (global $g i32))
      (global $h i32 (i32.add (global.get $g) (i32.mul (i32.const 2) (i32.const 3))))
      (func (export "run") (result i32) (global.get $h)))`,
  },
];
