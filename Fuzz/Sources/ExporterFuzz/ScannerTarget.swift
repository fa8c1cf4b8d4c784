import Crypto
import ErlangTerm
@_spi(Fuzzing) import GaterMessages
import PhoenixPubSub

/// The broadcast scanner (`TermScanner` with its payload reading, `EnvelopeVerifier.scan`) against the general path
/// (`TermView`, `open`, `GaterDecoder`): whenever the scanned path answers, it answers what the
/// general path decodes, with the same ignored fields. So that libFuzzer's mutants get past the
/// signature, most inputs are signed again here before reading (with swift-crypto's HMAC over
/// the general decoder's re-encoding, not the scanner's own).
final class ScannerTarget: FuzzTarget {
    static let secret = "s3cret-key-base"
    let verifier = EnvelopeVerifier(secret: SecretKeyBase(ScannerTarget.secret))
    let key = SymmetricKey(data: Array(ScannerTarget.secret.utf8))

    init() throws {}

    func run(_ input: [UInt8]) {
        var bytes = input
        guard let envelope = ForwardToLocal.header(bytes, at: 0)?.message else { return }
        // The input's length picks how it is signed and which style the peer is remembered in:
        // the same input always takes the same way, and mutants try them all.
        let way = input.count % 6
        switch way {
        case 0, 1: resign(&bytes, style: .legacy)
        case 2, 3: resign(&bytes, style: .utf8)
        default: break
        }
        let style: AtomStyle? = way % 2 == 0 ? nil : (way == 3 ? .utf8 : .legacy)
        let answers = BroadcastPaths(bytes, envelope: envelope, verifier: verifier, style: style)
        guard let scanned = answers.scanned else { return }
        guard case .success(let general) = answers.general else {
            require(false, "the scanned path took \(scanned), the general one \(String(describing: answers.general))")
            return
        }
        require(general == scanned, "the scanned path decoded \(scanned), the general one \(general)")
        require(answers.sameReport, "the paths report different ignored fields for \(scanned)")
    }

    /// Replaces the envelope's 32-byte signature with the HMAC of the inner term as a publisher
    /// in `style` signs it; leaves the bytes alone when they are no signed envelope.
    private func resign(_ bytes: inout [UInt8], style: AtomStyle) {
        guard let view = try? TermView(parsing: bytes, wholeInput: true),
            let envelope = view.element(2, of: view.root), view.kind(of: envelope) == .tuple,
            view.count(of: envelope) == 3, let signature = view.element(1, of: envelope),
            let inner = view.element(2, of: envelope), view.kind(of: signature) == .binary,
            view.count(of: signature) == 32, !view.wasCompressed
        else { return }
        let mac = HMAC<SHA256>.authenticationCode(for: view.encoded(inner, style: style), using: key)
        let end = view.span(of: signature).upperBound
        bytes.replaceSubrange((end - 32)..<end, with: Array(mac))
    }
}
