import ErlangTerm
import NIOConcurrencyHelpers

/// Opens ExESDBGater envelopes (DESIGN.md 3.3): `{secure_message, Signature, Inner}` or
/// `{unsecured_message, Inner}`, with the Gater's own policy.
///
/// The signature is HMAC-SHA256 of `term_to_binary(Inner)` on the publisher, whose atoms are
/// Latin-1 ATOM_EXT on OTP 25 and older and UTF-8 from OTP 26 on, while the distribution always
/// carries UTF-8. So the inner term is re-encoded in the publisher's style (map order as received),
/// and the style that matched is remembered per peer so the common case costs one HMAC.
public final class EnvelopeVerifier: Sendable {
    private let secret: SecretKeyBase?
    /// The HMAC key, prepared once.
    private let key: SignatureKey?
    private let styles = NIOLockedValueBox<[String: AtomStyle]>([:])

    public init(secret: SecretKeyBase?) {
        self.secret = secret
        self.key = secret.map { SignatureKey($0.bytes) }
    }

    /// The verified inner term `{Tag, Payload}`, or why the envelope is rejected.
    public func open(_ view: TermView, _ envelope: TermRef, peer: String) -> Result<TermRef, MessageRejection> {
        guard view.kind(of: envelope) == .tuple, let tag = view.element(0, of: envelope) else {
            return .failure(.malformed)
        }
        if view.isAtom(tag, "unsecured_message"), view.count(of: envelope) == 2,
            let inner = view.element(1, of: envelope)
        {
            return secret == nil ? .success(inner) : .failure(.unsigned)
        }
        guard view.isAtom(tag, "secure_message"), view.count(of: envelope) == 3,
            let signature = view.element(1, of: envelope).flatMap({ view.binaryBytes(of: $0) }),
            let inner = view.element(2, of: envelope)
        else { return .failure(.malformed) }
        guard let key else { return .failure(.unverifiable) }
        return verify(view, inner, signature: signature, key: key, peer: peer)
            ? .success(inner) : .failure(.badSignature)
    }

    /// The atom style this peer's signatures matched last, if any.
    public func rememberedStyle(of peer: String) -> AtomStyle? {
        styles.withLockedValue { $0[peer] }
    }

    private func verify(
        _ view: TermView, _ inner: TermRef, signature: ArraySlice<UInt8>, key: SignatureKey, peer: String
    ) -> Bool {
        let remembered = rememberedStyle(of: peer)
        let first = remembered ?? .legacy
        if key.isValid(signature, for: view.encoded(inner, style: first)) {
            if remembered == nil { styles.withLockedValue { $0[peer] = first } }
            return true
        }
        let second: AtomStyle = first == .legacy ? .utf8 : .legacy
        guard key.isValid(signature, for: view.encoded(inner, style: second)) else { return false }
        styles.withLockedValue { $0[peer] = second }
        return true
    }
}
