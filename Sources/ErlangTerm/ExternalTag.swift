/// Tag bytes of the External Term Format, as erts `erl_ext_dist.md` numbers them: every module that
/// reads term bytes in place names them from here. Inlinable, so that a scanner in another module
/// compares with constants (a `switch` over them stays a jump table), not with a global it loads.
public enum ExternalTag {
    @inlinable public static var version: UInt8 { 131 }
    @inlinable public static var newFloat: UInt8 { 70 }
    @inlinable public static var bitBinary: UInt8 { 77 }
    @inlinable public static var compressed: UInt8 { 80 }
    @inlinable public static var atomCacheRef: UInt8 { 82 }
    @inlinable public static var newPid: UInt8 { 88 }
    @inlinable public static var newPort: UInt8 { 89 }
    @inlinable public static var newerReference: UInt8 { 90 }
    @inlinable public static var smallInteger: UInt8 { 97 }
    @inlinable public static var integer: UInt8 { 98 }
    @inlinable public static var float: UInt8 { 99 }
    @inlinable public static var atom: UInt8 { 100 }
    @inlinable public static var reference: UInt8 { 101 }
    @inlinable public static var port: UInt8 { 102 }
    @inlinable public static var pid: UInt8 { 103 }
    @inlinable public static var smallTuple: UInt8 { 104 }
    @inlinable public static var largeTuple: UInt8 { 105 }
    @inlinable public static var nilList: UInt8 { 106 }
    @inlinable public static var string: UInt8 { 107 }
    @inlinable public static var list: UInt8 { 108 }
    @inlinable public static var binary: UInt8 { 109 }
    @inlinable public static var smallBig: UInt8 { 110 }
    @inlinable public static var largeBig: UInt8 { 111 }
    @inlinable public static var newFun: UInt8 { 112 }
    @inlinable public static var export: UInt8 { 113 }
    @inlinable public static var newReference: UInt8 { 114 }
    @inlinable public static var smallAtom: UInt8 { 115 }
    @inlinable public static var map: UInt8 { 116 }
    @inlinable public static var atomUTF8: UInt8 { 118 }
    @inlinable public static var smallAtomUTF8: UInt8 { 119 }
    @inlinable public static var v4Port: UInt8 { 120 }
    @inlinable public static var local: UInt8 { 121 }
}
