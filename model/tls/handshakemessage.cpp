#include "model/tls/handshakemessage.h"

#include "model/core/opensslutil.h"
#include "model/tls/hellodissection.h"
#include "model/tls/tlsnames.h"
#include "model/tls/tlsreader.h"

#include <QCborArray>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

enum : quint8 {
    ClientHello = 1,
    ServerHello = 2,
    NewSessionTicket = 4,
    EndOfEarlyData = 5,
    EncryptedExtensions = 8,
    Certificate = 11,
    ServerKeyExchange = 12,
    CertificateRequest = 13,
    ServerHelloDone = 14,
    CertificateVerify = 15,
    ClientKeyExchange = 16,
    Finished = 20,
    CertificateStatus = 22,
    KeyUpdate = 24,
};

QCborMap errorMap(const QString &error)
{
    return QCborMap {{u"error"_s, error}};
}

QString schemeOrNumber(quint16 value)
{
    return signatureSchemeLabel(value);
}

// A DER DistinguishedName as RFC 2253 text ("CN=Test CA,O=TLS Lab"), or its hex when OpenSSL cannot read it.
QString distinguishedName(QByteArrayView der)
{
    const unsigned char *p = reinterpret_cast<const unsigned char *>(der.data());
    X509_NAME *name = d2i_X509_NAME(nullptr, &p, long(der.size()));
    if (!name) {
        ERR_clear_error();
        return u"(not a DER name: "_s + QString::fromLatin1(der.toByteArray().toHex()) + u')';
    }
    Ossl::BioPtr bio = Ossl::newMemoryBio();
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    X509_NAME_free(name);
    return QString::fromUtf8(Ossl::bioContents(bio.get()));
}

// Reads the signature_algorithms (or _cert) payload into names.
bool schemeList(TlsReader &r, QCborArray &out, const char *what)
{
    QByteArrayView list;
    if (!r.vector16(list, what))
        return false;
    if (list.size() % 2)
        return r.fail(u"%1 has an odd length (%2 bytes)"_s.arg(QLatin1StringView(what)).arg(list.size()));
    for (qsizetype i = 0; i + 1 < list.size(); i += 2)
        out.append(schemeOrNumber(quint16((quint8(list[i]) << 8) | quint8(list[i + 1]))));
    return true;
}

bool caNames(TlsReader &r, QCborArray &out, const char *what)
{
    QByteArrayView list;
    qsizetype start = 0;
    if (!r.vector16(list, what, &start))
        return false;
    TlsReader names(list, start);
    while (!names.atEnd()) {
        QByteArrayView der;
        if (!names.vector16(der, "DistinguishedName"))
            return r.fail(names.error());
        out.append(distinguishedName(der));
    }
    return true;
}

// The extensions block of a TLS 1.3 message, calling onExtension(type, reader over its data) for each.
template<typename F>
bool forEachExtension(TlsReader &r, const char *what, QCborArray &names, F onExtension)
{
    QByteArrayView all;
    qsizetype start = 0;
    if (!r.vector16(all, what, &start))
        return false;
    TlsReader e(all, start);
    while (!e.atEnd()) {
        quint16 type = 0;
        QByteArrayView data;
        qsizetype dataStart = 0;
        if (!e.u16(type, "extension type") || !e.vector16(data, "extension data", &dataStart))
            return r.fail(e.error());
        names.append(extensionLabel(type));
        TlsReader x(data, dataStart);
        if (!onExtension(type, x))
            return r.fail(x.error());
    }
    return true;
}

QCborMap encryptedExtensions(TlsReader &r)
{
    QCborMap m;
    QCborArray names;
    const bool ok = forEachExtension(r, "extensions", names, [&m](quint16 type, TlsReader &x) {
        QByteArrayView list, name;
        switch (type) {
        case 16: { // ALPN: exactly one protocol from the server
            if (!x.vector16(list, "application_layer_protocol_negotiation list"))
                return false;
            TlsReader protocols(list, x.offset() - list.size());
            if (!protocols.vector8(name, "application_layer_protocol_negotiation protocol"))
                return x.fail(protocols.error());
            m.insert(u"alpn"_s, QString::fromLatin1(name));
            return true;
        }
        case 10: { // the server's preferred groups, for the next connection
            if (!x.vector16(list, "supported_groups list"))
                return false;
            QCborArray groups;
            for (qsizetype i = 0; i + 1 < list.size(); i += 2)
                groups.append(namedGroupLabel(quint16((quint8(list[i]) << 8) | quint8(list[i + 1]))));
            m.insert(u"supported_groups"_s, groups);
            return true;
        }
        case 42:
            m.insert(u"early_data_accepted"_s, true);
            return true;
        case 0:
            m.insert(u"server_name_acknowledged"_s, true);
            return true;
        case 28: {
            quint16 limit = 0;
            if (!x.u16(limit, "record_size_limit"))
                return false;
            m.insert(u"record_size_limit"_s, limit);
            return true;
        }
        default:
            return true;
        }
    });
    if (!ok)
        return errorMap(r.error());
    m.insert(u"extensions"_s, names);
    return m;
}

QCborMap certificate(TlsReader &r, bool tls13)
{
    QCborMap m;
    QByteArrayView context, list;
    qsizetype start = 0;
    if (tls13) {
        if (!r.vector8(context, "certificate_request_context"))
            return errorMap(r.error());
        m.insert(u"context_size"_s, context.size());
    }
    if (!r.vector24(list, "certificate_list", &start) || !r.expectEnd("Certificate"))
        return errorMap(r.error());
    TlsReader certs(list, start);
    QCborArray entries;
    while (!certs.atEnd()) {
        QByteArrayView der;
        if (!certs.vector24(der, "cert_data"))
            return errorMap(certs.error());
        QCborMap entry {{u"size"_s, der.size()}, {u"der"_s, der.toByteArray()}};
        if (tls13) {
            QCborArray names;
            if (!forEachExtension(
                    certs, "certificate entry extensions", names, [](quint16, TlsReader &) { return true; }))
                return errorMap(certs.error());
            if (!names.isEmpty())
                entry.insert(u"extensions"_s, names); // status_request (stapled OCSP), signed_certificate_timestamp
        }
        entries.append(entry);
    }
    m.insert(u"certificate_count"_s, entries.size());
    m.insert(u"certificates"_s, entries);
    return m;
}

QCborMap certificateRequest(TlsReader &r, bool tls13)
{
    QCborMap m;
    QCborArray schemes, schemesCert, authorities;
    if (tls13) {
        QByteArrayView context;
        if (!r.vector8(context, "certificate_request_context"))
            return errorMap(r.error());
        m.insert(u"context_size"_s, context.size());
        QCborArray names;
        const bool ok = forEachExtension(r, "extensions", names, [&](quint16 type, TlsReader &x) {
            switch (type) {
            case 13:
                return schemeList(x, schemes, "signature_algorithms list");
            case 50:
                return schemeList(x, schemesCert, "signature_algorithms_cert list");
            case 47:
                return caNames(x, authorities, "certificate_authorities list");
            default:
                return true;
            }
        });
        if (!ok || !r.expectEnd("CertificateRequest"))
            return errorMap(r.error());
        m.insert(u"extensions"_s, names);
    } else {
        QByteArrayView types;
        if (!r.vector8(types, "certificate_types"))
            return errorMap(r.error());
        QCborArray typeNames;
        for (char t : types) {
            switch (quint8(t)) {
            case 1:
                typeNames.append(u"rsa_sign"_s);
                break;
            case 2:
                typeNames.append(u"dss_sign"_s);
                break;
            case 64:
                typeNames.append(u"ecdsa_sign"_s);
                break;
            default:
                typeNames.append(int(quint8(t)));
            }
        }
        m.insert(u"certificate_types"_s, typeNames);
        if (!schemeList(r, schemes, "supported_signature_algorithms")
            || !caNames(r, authorities, "certificate_authorities") || !r.expectEnd("CertificateRequest"))
            return errorMap(r.error());
    }
    m.insert(u"signature_algorithms"_s, schemes);
    if (!schemesCert.isEmpty())
        m.insert(u"signature_algorithms_cert"_s, schemesCert);
    m.insert(u"certificate_authorities"_s, authorities);
    return m;
}

QCborMap newSessionTicket(TlsReader &r, bool tls13)
{
    QCborMap m;
    quint32 lifetime = 0;
    QByteArrayView ticket;
    if (!tls13) { // RFC 5077
        if (!r.u32(lifetime, "ticket_lifetime_hint") || !r.vector16(ticket, "ticket")
            || !r.expectEnd("NewSessionTicket"))
            return errorMap(r.error());
        m.insert(u"lifetime_s"_s, qint64(lifetime));
        m.insert(u"ticket_size"_s, ticket.size());
        return m;
    }
    quint32 ageAdd = 0;
    QByteArrayView nonce;
    if (!r.u32(lifetime, "ticket_lifetime") || !r.u32(ageAdd, "ticket_age_add") || !r.vector8(nonce, "ticket_nonce")
        || !r.vector16(ticket, "ticket"))
        return errorMap(r.error());
    m.insert(u"lifetime_s"_s, qint64(lifetime));
    m.insert(u"age_add"_s, true); // always present in TLS 1.3; its value obscures ticket ages and is not shown
    m.insert(u"nonce_size"_s, nonce.size());
    m.insert(u"ticket_size"_s, ticket.size());
    QCborArray names;
    const bool ok = forEachExtension(r, "extensions", names, [&m](quint16 type, TlsReader &x) {
        if (type != 42)
            return true;
        quint32 maxEarly = 0;
        if (!x.u32(maxEarly, "early_data max_early_data_size"))
            return false;
        m.insert(u"max_early_data_size"_s, qint64(maxEarly));
        return true;
    });
    if (!ok || !r.expectEnd("NewSessionTicket"))
        return errorMap(r.error());
    if (!m.contains(u"max_early_data_size"_s))
        m.insert(u"max_early_data_size"_s, 0);
    m.insert(u"extensions"_s, names);
    return m;
}

// TLS 1.2 ServerKeyExchange: the cipher suite decides the layout, and the message does not name it. ECDHE
// (named_curve) is tried first, then DHE; whichever reads the body exactly wins.
QCborMap serverKeyExchange(QByteArrayView body)
{
    {
        TlsReader r(body, 4);
        quint8 curveType = 0;
        quint16 group = 0, scheme = 0;
        QByteArrayView point, signature;
        if (r.u8(curveType, "curve_type") && curveType == 3 && r.u16(group, "named_curve") && r.vector8(point, "public")
            && r.u16(scheme, "signature algorithm") && r.vector16(signature, "signature") && r.atEnd()) {
            QCborMap m {{u"key_exchange"_s, u"ECDHE"_s}, {u"group"_s, namedGroupLabel(group)},
                {u"public_key_size"_s, point.size()}, {u"signature_scheme"_s, schemeOrNumber(scheme)}};
            if (isPostQuantumGroup(group))
                m.insert(u"post_quantum"_s, true);
            return m;
        }
    }
    TlsReader r(body, 4);
    QByteArrayView p, g, ys, signature;
    quint16 scheme = 0;
    if (r.vector16(p, "dh_p") && r.vector16(g, "dh_g") && r.vector16(ys, "dh_Ys")) {
        const bool signedParams = r.u16(scheme, "signature algorithm") && r.vector16(signature, "signature");
        if (r.atEnd() && signedParams) {
            qsizetype leading = 0; // the prime's size in bits, without leading zero bytes
            while (leading < p.size() && p[leading] == 0)
                ++leading;
            int bits = int(p.size() - leading) * 8;
            if (leading < p.size()) {
                for (quint8 top = quint8(p[leading]); !(top & 0x80); top <<= 1)
                    --bits;
            }
            return QCborMap {{u"key_exchange"_s, u"DHE"_s}, {u"prime_bits"_s, bits}, {u"public_key_size"_s, ys.size()},
                {u"signature_scheme"_s, schemeOrNumber(scheme)}};
        }
    }
    return errorMap(u"ServerKeyExchange of %1 bytes reads neither as ECDHE nor as DHE parameters"_s.arg(body.size()));
}

} // namespace

QCborMap decodeHandshakeMessage(quint8 type, QByteArrayView body, quint16 negotiatedVersion)
{
    const QLatin1StringView typeName = handshakeTypeName(type);
    const bool tls13 = negotiatedVersion >= 0x0304 && negotiatedVersion < 0x7f00;
    TlsReader r(body, 4); // byte positions count from the start of the message, header included
    QCborMap m;
    switch (type) {
    case ClientHello:
    case ServerHello: {
        if (body.size() > 0xffffff) {
            m = errorMap(u"%1 bytes do not fit a handshake message"_s.arg(body.size()));
            break;
        }
        QByteArray message(4 + body.size(), Qt::Uninitialized);
        message[0] = char(type);
        message[1] = char((body.size() >> 16) & 0xff);
        message[2] = char((body.size() >> 8) & 0xff);
        message[3] = char(body.size() & 0xff);
        std::copy(body.begin(), body.end(), message.begin() + 4);
        m = type == ClientHello ? dissectClientHello(message).toCbor() : dissectServerHello(message).toCbor();
        if (m.value(u"status"_s).toString() != u"complete")
            m.insert(u"error"_s, m.value(u"error"_s).toString(u"incomplete message"_s));
        break;
    }
    case EncryptedExtensions:
        m = encryptedExtensions(r);
        if (!m.contains(u"error"_s) && !r.expectEnd("EncryptedExtensions"))
            m = errorMap(r.error());
        break;
    case Certificate:
        m = certificate(r, tls13);
        break;
    case CertificateRequest:
        m = certificateRequest(r, tls13);
        break;
    case CertificateVerify: {
        quint16 scheme = 0;
        QByteArrayView signature;
        if (!r.u16(scheme, "algorithm") || !r.vector16(signature, "signature") || !r.expectEnd("CertificateVerify"))
            m = errorMap(r.error());
        else
            m = {{u"signature_scheme"_s, schemeOrNumber(scheme)}, {u"signature_size"_s, signature.size()}};
        break;
    }
    case Finished:
        if (body.isEmpty())
            m = errorMap(u"Finished is empty"_s);
        else
            m = {{u"verify_data_size"_s, body.size()}};
        break;
    case NewSessionTicket:
        m = newSessionTicket(r, tls13);
        break;
    case KeyUpdate: {
        quint8 request = 0;
        if (!r.u8(request, "request_update") || !r.expectEnd("KeyUpdate"))
            m = errorMap(r.error());
        else if (request > 1)
            m = errorMap(u"KeyUpdate request_update is %1; only 0 and 1 are defined"_s.arg(int(request)));
        else
            m = {{u"update_requested"_s, request == 1}};
        break;
    }
    case ServerKeyExchange:
        m = serverKeyExchange(body);
        break;
    case ClientKeyExchange:
        m = {{u"size"_s, body.size()}};
        break;
    case CertificateStatus: {
        quint8 statusType = 0;
        QByteArrayView response;
        if (!r.u8(statusType, "status_type") || !r.vector24(response, "OCSPResponse")
            || !r.expectEnd("CertificateStatus"))
            m = errorMap(r.error());
        else
            m = {{u"status_type"_s, statusType == 1 ? u"ocsp"_s : QString::number(statusType)},
                {u"response_size"_s, response.size()}};
        break;
    }
    case ServerHelloDone:
    case EndOfEarlyData:
        if (!body.isEmpty())
            m = errorMap(u"%1 must be empty but has %2 bytes"_s.arg(typeName).arg(body.size()));
        break;
    default:
        m = errorMap(typeName.isEmpty() ? u"unknown handshake message type %1"_s.arg(int(type))
                                        : u"%1 is not decoded"_s.arg(typeName));
        break;
    }
    m.insert(u"message"_s, typeName.isEmpty() ? QString::number(type) : QString(typeName));
    m.insert(u"size"_s, 4 + body.size());
    return m;
}

} // namespace TlsLab::Model
