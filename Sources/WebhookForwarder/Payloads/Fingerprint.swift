/// Alertmanager's fingerprint of a label set: FNV-1a 64 over the names in order, each name and
/// value followed by the byte 0xff, written as 16 hex digits.
enum Fingerprint {
    static func of(_ labels: [String: String]) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        func add(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 1_099_511_628_211
        }
        for name in labels.keys.sorted() {
            for byte in name.utf8 { add(byte) }
            add(0xff)
            for byte in (labels[name] ?? "").utf8 { add(byte) }
            add(0xff)
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
