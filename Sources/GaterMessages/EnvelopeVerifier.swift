import ErlangTerm
import NIOConcurrencyHelpers
import Synchronization

/// Opens ExESDBGater envelopes (docs/architecture.md, The envelope and its signature): `{secure_message, Signature, Inner}` or
/// `{unsecured_message, Inner}`, with the Gater's own policy.
///
/// The signature is HMAC-SHA256 of `term_to_binary(Inner)` on the publisher, whose atoms are
/// Latin-1 ATOM_EXT on OTP 25 and older and UTF-8 from OTP 26 on, while the distribution always
/// carries UTF-8. So the inner term is re-encoded in the publisher's style (map order as received)
/// and hashed as it is written, and the style that matched is remembered per peer so the common
/// case costs one HMAC.
public final class EnvelopeVerifier: Sendable {
    private let secret: SecretKeyBase?
    /// The HMAC key, prepared once.
    let key: SignatureKey?
    /// The key's state after each kind's usual first block (the scanned path's).
    let firstBlocks = FirstBlocks()
    private let styles = NIOLockedValueBox<[String: RememberedStyle]>([:])

    public init(secret: SecretKeyBase?) {
        self.secret = secret
        self.key = secret.map { SignatureKey($0.bytes) }
    }

    /// The verified inner term `{Tag, Payload}`, or why the envelope is rejected.
    public func open(_ view: TermView, _ envelope: TermRef, peer: String) -> Result<TermRef, MessageRejection> {
        open(view, envelope, style: rememberedStyle(for: peer))
    }

    /// As `open(_:_:peer:)`, with the peer's remembered style already looked up.
    func open(_ view: TermView, _ envelope: TermRef, style: RememberedStyle) -> Result<TermRef, MessageRejection> {
        guard view.kind(of: envelope) == .tuple, let tag = view.element(0, of: envelope) else {
            return .failure(.malformed)
        }
        if view.isAtom(tag, "unsecured_message"), view.count(of: envelope) == 2,
            let inner = view.element(1, of: envelope)
        {
            return secret == nil ? .success(inner) : .failure(.unsigned)
        }
        if Self.isLogEvent(view, envelope) { return secret == nil ? .success(envelope) : .failure(.unsigned) }
        guard view.isAtom(tag, "secure_message"), view.count(of: envelope) == 3,
            let signature = view.element(1, of: envelope).flatMap({ view.binaryBytes(of: $0) }),
            let inner = view.element(2, of: envelope)
        else { return .failure(.malformed) }
        guard let key else { return .failure(.unverifiable) }
        return verify(view, inner, signature: signature, key: key, style: style)
            ? .success(inner) : .failure(.badSignature)
    }

    /// ExESDB's `LoggingPublisher` broadcasts `{log_event, Map}` bare, with no envelope: it is
    /// unsigned, and the Gater's policy for unsecured messages applies (taken without a secret,
    /// rejected as `unsigned` with one). The inner term is then the broadcast itself.
    static func isLogEvent(_ view: TermView, _ envelope: TermRef) -> Bool {
        guard view.kind(of: envelope) == .tuple, view.count(of: envelope) == 2, let tag = view.element(0, of: envelope)
        else { return false }
        return view.isAtom(tag, "log_event")
    }

    /// What the log says of a rejection beyond its reason, when there is more to say.
    static func detail(of rejection: MessageRejection, _ view: TermView, _ envelope: TermRef) -> String? {
        guard rejection == .unsigned, isLogEvent(view, envelope) else { return nil }
        return "ExESDB's logging publisher broadcasts {log_event, Map} unsigned, which the Gater policy refuses "
            + "while a SECRET_KEY_BASE is configured; signed messages of the bus are still taken "
            + "(leave ex_esdb_logging out of \(GaterSetting.buses) to stop these)"
    }

    /// The atom style this peer's signatures matched last, if any.
    public func rememberedStyle(of peer: String) -> AtomStyle? {
        styles.withLockedValue { $0[peer] }?.style
    }

    /// The peer's remembered style, made on first use; one per peer, shared by all its buses.
    func rememberedStyle(for peer: String) -> RememberedStyle {
        styles.withLockedValue { styles in
            if let known = styles[peer] { return known }
            let style = RememberedStyle()
            styles[peer] = style
            return style
        }
    }

    private func verify(
        _ view: TermView, _ inner: TermRef, signature: ArraySlice<UInt8>, key: SignatureKey, style: RememberedStyle
    ) -> Bool {
        let remembered = style.style
        let first = remembered ?? .legacy
        if key.isValid(signature, of: { view.encode(inner, style: first, into: $0) }) {
            if remembered == nil { style.style = first }
            return true
        }
        let second: AtomStyle = first == .legacy ? .utf8 : .legacy
        guard key.isValid(signature, of: { view.encode(inner, style: second, into: $0) }) else { return false }
        style.style = second
        return true
    }
}

/// The atom style one peer's signatures matched last, read and written without a lock.
final class RememberedStyle: Sendable {
    private let code = Atomic<UInt8>(0)

    var style: AtomStyle? {
        get {
            switch code.load(ordering: .relaxed) {
            case 1: .legacy
            case 2: .utf8
            default: nil
            }
        }
        set {
            let value: UInt8
            switch newValue {
            case .legacy?: value = 1
            case .utf8?: value = 2
            case nil: value = 0
            }
            code.store(value, ordering: .relaxed)
        }
    }
}
