;; One column panel of C += alpha·A·B in float64, with f64x2 SIMD: the
;; WebAssembly twin of the 4×4 register-blocked JavaScript kernel
;; (src/kernels/gemm.ts). A is m4×k (row stride k), B is k×n4 (row stride n4),
;; C is m4×n4 (row stride n4), all row-major float64 at byte addresses in
;; memory; m4 and n4 are multiples of 4. `panel` packs columns j..j+3 of B into
;; a contiguous k×4 buffer at `pan`, then for each 4×4 tile of those columns
;; forms the sums Σₚ A[i,p]·B[p,j..j+3] in registers and updates C to
;; c + alpha·sum. Each sum is accumulated in the same order, p = 0..k-1, from
;; zero, with a separate multiply and add (no fused multiply-add), and C is
;; updated with the same two roundings, so every bit equals the JavaScript
;; kernel's. The caller loops over j, so the engine's optimizing tier (which
;; replaces a function between calls) takes over after the first calls.
(module
  (import "kernel" "memory" (memory 1))
  (func (export "panel")
    (param $j i32) (param $m4 i32) (param $n4 i32) (param $k i32)
    (param $a i32) (param $b i32) (param $pan i32) (param $c i32) (param $alpha f64)
    (local $ldb i32) (local $lda i32) (local $src i32) (local $dst i32) (local $end i32)
    (local $i i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $q i32) (local $o i32)
    (local $c00 v128) (local $c02 v128) (local $c10 v128) (local $c12 v128)
    (local $c20 v128) (local $c22 v128) (local $c30 v128) (local $c32 v128)
    (local $b01 v128) (local $b23 v128) (local $x v128) (local $al v128)
    (local.set $al (f64x2.splat (local.get $alpha)))
    (local.set $ldb (i32.shl (local.get $n4) (i32.const 3)))
    (local.set $lda (i32.shl (local.get $k) (i32.const 3)))
    ;; Pack B's columns j..j+3 into the panel, row by row.
    (local.set $src (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
    (local.set $dst (local.get $pan))
    (local.set $end (i32.add (local.get $pan) (i32.shl (local.get $k) (i32.const 5))))
    (block $packed
      (loop $pack
        (br_if $packed (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst) (v128.load (local.get $src)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
        (local.set $src (i32.add (local.get $src) (local.get $ldb)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $pack)))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m4)))
        (local.set $r0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $lda)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $lda)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $lda)))
        (local.set $c00 (v128.const i64x2 0 0)) (local.set $c02 (v128.const i64x2 0 0))
        (local.set $c10 (v128.const i64x2 0 0)) (local.set $c12 (v128.const i64x2 0 0))
        (local.set $c20 (v128.const i64x2 0 0)) (local.set $c22 (v128.const i64x2 0 0))
        (local.set $c30 (v128.const i64x2 0 0)) (local.set $c32 (v128.const i64x2 0 0))
        (local.set $q (local.get $pan))
        (block $kDone
          (loop $inner
            (br_if $kDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $b01 (v128.load (local.get $q)))
            (local.set $b23 (v128.load offset=16 (local.get $q)))
            (local.set $x (f64x2.splat (f64.load (local.get $r0))))
            (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b01))))
            (local.set $c02 (f64x2.add (local.get $c02) (f64x2.mul (local.get $x) (local.get $b23))))
            (local.set $x (f64x2.splat (f64.load (local.get $r1))))
            (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b01))))
            (local.set $c12 (f64x2.add (local.get $c12) (f64x2.mul (local.get $x) (local.get $b23))))
            (local.set $x (f64x2.splat (f64.load (local.get $r2))))
            (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b01))))
            (local.set $c22 (f64x2.add (local.get $c22) (f64x2.mul (local.get $x) (local.get $b23))))
            (local.set $x (f64x2.splat (f64.load (local.get $r3))))
            (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b01))))
            (local.set $c32 (f64x2.add (local.get $c32) (f64x2.mul (local.get $x) (local.get $b23))))
            (local.set $r0 (i32.add (local.get $r0) (i32.const 8)))
            (local.set $r1 (i32.add (local.get $r1) (i32.const 8)))
            (local.set $r2 (i32.add (local.get $r2) (i32.const 8)))
            (local.set $r3 (i32.add (local.get $r3) (i32.const 8)))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (br $inner)))
        (local.set $o (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n4)) (local.get $j)) (i32.const 3))))
        (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (f64x2.mul (local.get $al) (local.get $c00))))
        (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (f64x2.mul (local.get $al) (local.get $c02))))
        (local.set $o (i32.add (local.get $o) (local.get $ldb)))
        (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (f64x2.mul (local.get $al) (local.get $c10))))
        (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (f64x2.mul (local.get $al) (local.get $c12))))
        (local.set $o (i32.add (local.get $o) (local.get $ldb)))
        (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (f64x2.mul (local.get $al) (local.get $c20))))
        (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (f64x2.mul (local.get $al) (local.get $c22))))
        (local.set $o (i32.add (local.get $o) (local.get $ldb)))
        (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (f64x2.mul (local.get $al) (local.get $c30))))
        (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (f64x2.mul (local.get $al) (local.get $c32))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))))
