#include "model/certs/certificatedetails.h"

#include "model/core/opensslutil.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QJsonArray>

#include <openssl/core_names.h>
#include <openssl/x509_vfy.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

QString bioText(const std::function<void(BIO *)> &print)
{
    Ossl::BioPtr bio = Ossl::newMemoryBio();
    print(bio.get());
    ERR_clear_error();
    return QString::fromUtf8(Ossl::bioContents(bio.get()));
}

QString objectText(const ASN1_OBJECT *object, bool numeric)
{
    char buffer[256] = {};
    OBJ_obj2txt(buffer, sizeof buffer, object, numeric ? 1 : 0);
    return QString::fromLatin1(buffer);
}

QString asn1StringUtf8(const ASN1_STRING *s)
{
    unsigned char *utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, s);
    if (len < 0)
        return {};
    QString out = QString::fromUtf8(reinterpret_cast<const char *>(utf8), len);
    OPENSSL_free(utf8);
    return out;
}

QList<CertificateDetails::NameEntry> nameEntries(const X509_NAME *name)
{
    QList<CertificateDetails::NameEntry> entries;
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
        const int nid = OBJ_obj2nid(obj);
        CertificateDetails::NameEntry entry;
        entry.shortName = nid != NID_undef ? QString::fromLatin1(OBJ_nid2sn(nid)) : objectText(obj, true);
        entry.longName = nid != NID_undef ? QString::fromLatin1(OBJ_nid2ln(nid)) : objectText(obj, true);
        entry.value = asn1StringUtf8(X509_NAME_ENTRY_get_data(e));
        entries.append(entry);
    }
    return entries;
}

// The flags `openssl x509 -text` uses for names in OpenSSL 3 (its default -nameopt "utf8,sep_comma_plus_space").
constexpr unsigned long nameFlags
    = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_SPC_EQ | XN_FLAG_FN_SN | ASN1_STRFLGS_RFC2253 | ASN1_STRFLGS_ESC_QUOTE;

QString nameText(const X509_NAME *name)
{
    return bioText([name](BIO *bio) { X509_NAME_print_ex(bio, name, 0, nameFlags & ~ASN1_STRFLGS_ESC_MSB); });
}

QDateTime asn1TimeToQt(const ASN1_TIME *t)
{
    struct tm tm = {};
    if (!ASN1_TIME_to_tm(t, &tm))
        return {};
    return QDateTime(
        QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

QString colonHex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex(':').toUpper());
}

QString curveName(EVP_PKEY *pkey)
{
    char group[80] = {};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len))
        return {};
    const QByteArray g(group, qsizetype(len));
    if (g == "prime256v1")
        return u"P-256"_s;
    if (g == "secp384r1")
        return u"P-384"_s;
    if (g == "secp521r1")
        return u"P-521"_s;
    return QString::fromLatin1(g);
}

QString plural(qint64 n, const QString &unit)
{
    return u"%1 %2%3"_s.arg(n).arg(unit, n == 1 ? QString() : u"s"_s);
}

// "23 days", "5 hours", "12 minutes"
QString span(qint64 seconds)
{
    if (seconds >= 2 * 86400)
        return plural(seconds / 86400, u"day"_s);
    if (seconds >= 2 * 3600)
        return plural(seconds / 3600, u"hour"_s);
    return plural(qMax<qint64>(1, seconds / 60), u"minute"_s);
}

QJsonArray namesJson(const QList<CertificateDetails::NameEntry> &entries)
{
    QJsonArray a;
    for (const auto &e : entries)
        a.append(QJsonObject {{u"name"_s, e.shortName}, {u"longName"_s, e.longName}, {u"value"_s, e.value}});
    return a;
}

} // namespace

CertificateDetails CertificateDetails::fromCertificate(const QSslCertificate &certificate)
{
    CertificateDetails d;
    if (certificate.isNull() || !certificate.handle())
        return d;
    X509 *x = Ossl::x509Of(certificate.handle());

    d.subject = nameEntries(X509_get_subject_name(x));
    d.issuer = nameEntries(X509_get_issuer_name(x));
    d.subjectText = nameText(X509_get_subject_name(x));
    d.issuerText = nameText(X509_get_issuer_name(x));
    d.version = int(X509_get_version(x)) + 1;

    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    {
        std::unique_ptr<BIGNUM, Ossl::Deleter<BN_free>> bn(ASN1_INTEGER_to_BN(serial, nullptr));
        char *hex = bn ? BN_bn2hex(bn.get()) : nullptr;
        d.serialHex = hex ? QString::fromLatin1(hex) : QString();
        OPENSSL_free(hex);
        if (d.serialHex.startsWith(u'-'))
            d.serialHex = u"-"_s + d.serialHex.mid(1);
        // Whole bytes, as `openssl x509 -serial` prints them (a serial of zero is "00").
        const qsizetype digits = d.serialHex.size() - (d.serialHex.startsWith(u'-') ? 1 : 0);
        if (digits % 2)
            d.serialHex.insert(d.serialHex.startsWith(u'-') ? 1 : 0, u'0');
        // X509_print: a serial that fits in a long is printed in decimal and hex, a longer one as colon bytes.
        int64_t value = -1;
        if (ASN1_STRING_length(serial) <= 8 && ASN1_INTEGER_get_int64(&value, serial) && value != -1) {
            const bool negative = value < 0;
            const quint64 magnitude = negative ? 0ULL - quint64(value) : quint64(value);
            d.serialText = u"%1%2 (%1%3)"_s.arg(negative ? u"-"_s : QString())
                               .arg(magnitude)
                               .arg(u"0x"_s + QString::number(magnitude, 16));
        } else {
            QStringList bytes;
            for (int i = 0; i < ASN1_STRING_length(serial); ++i)
                bytes.append(u"%1"_s.arg(ASN1_STRING_get0_data(serial)[i], 2, 16, QChar(u'0')));
            d.serialText
                = (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? u"(Negative)"_s : QString()) + bytes.join(u':');
        }
    }

    d.notBefore = asn1TimeToQt(X509_get0_notBefore(x));
    d.notAfter = asn1TimeToQt(X509_get0_notAfter(x));
    d.notBeforeText = bioText([x](BIO *b) { ASN1_TIME_print(b, X509_get0_notBefore(x)); });
    d.notAfterText = bioText([x](BIO *b) { ASN1_TIME_print(b, X509_get0_notAfter(x)); });

    if (EVP_PKEY *pkey = X509_get0_pubkey(x)) {
        switch (EVP_PKEY_get_base_id(pkey)) {
        case EVP_PKEY_RSA:
            d.publicKeyAlgorithm = u"RSA"_s;
            break;
        case EVP_PKEY_RSA_PSS:
            d.publicKeyAlgorithm = u"RSA-PSS"_s;
            break;
        case EVP_PKEY_EC:
            d.publicKeyAlgorithm = u"EC"_s;
            d.publicKeyCurve = curveName(pkey);
            break;
        case EVP_PKEY_ED25519:
            d.publicKeyAlgorithm = u"Ed25519"_s;
            break;
        case EVP_PKEY_ED448:
            d.publicKeyAlgorithm = u"Ed448"_s;
            break;
        case EVP_PKEY_DSA:
            d.publicKeyAlgorithm = u"DSA"_s;
            break;
        default:
            d.publicKeyAlgorithm = QString::fromLatin1(EVP_PKEY_get0_type_name(pkey));
        }
        d.publicKeyBits = EVP_PKEY_get_bits(pkey);
    }
    {
        ASN1_OBJECT *alg = nullptr;
        X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(x));
        if (alg)
            d.publicKeyAlgorithmOid = objectText(alg, false);
        const X509_ALGOR *sigAlg = nullptr;
        X509_get0_signature(nullptr, &sigAlg, x);
        const ASN1_OBJECT *sigObj = nullptr;
        X509_ALGOR_get0(&sigObj, nullptr, nullptr, sigAlg);
        d.signatureAlgorithm = objectText(sigObj, false);
    }

    if (auto *names = static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr))) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
            if (gn->type == GEN_DIRNAME) {
                // As the extension's own text prints it ("DirName:/O=.../CN=..."), not GENERAL_NAME_print's form.
                char buffer[1024];
                X509_NAME_oneline(gn->d.dirn, buffer, int(sizeof buffer));
                d.subjectAltNames.append({u"DirName"_s, QString::fromUtf8(buffer)});
                continue;
            }
            const QString printed = bioText([gn](BIO *b) { GENERAL_NAME_print(b, gn); });
            const qsizetype colon = printed.indexOf(u':');
            d.subjectAltNames.append({printed.left(colon), printed.mid(colon + 1)});
        }
        GENERAL_NAMES_free(names);
    }

    for (int i = 0; i < X509_get_ext_count(x); ++i) {
        X509_EXTENSION *ext = X509_get_ext(x, i);
        const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
        Extension e;
        e.name = objectText(obj, false);
        e.oid = objectText(obj, true);
        e.critical = X509_EXTENSION_get_critical(ext) != 0;
        e.text = bioText([ext](BIO *b) {
            if (!X509V3_EXT_print(b, ext, X509V3_EXT_DEFAULT, 0))
                ASN1_STRING_print(b, X509_EXTENSION_get_data(ext));
        });
        d.extensions.append(e);
    }

    d.isCa = X509_check_ca(x) != 0;
    d.isSelfSigned = X509_self_signed(x, 0) == 1;
    ERR_clear_error();
    d.sha256Fingerprint = colonHex(certificate.digest(QCryptographicHash::Sha256));
    d.sha1Fingerprint = colonHex(certificate.digest(QCryptographicHash::Sha1));
    {
        unsigned char *spki = nullptr;
        const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
        if (len > 0) {
            d.spkiSha256Pin = QString::fromLatin1(QCryptographicHash::hash(
                QByteArray(reinterpret_cast<const char *>(spki), len), QCryptographicHash::Sha256)
                                                      .toBase64());
            OPENSSL_free(spki);
        }
    }
    d.pem = certificate.toPem();
    return d;
}

QString CertificateDetails::validityStatus(const QDateTime &now) const
{
    if (!notBefore.isValid() || !notAfter.isValid())
        return u"validity unknown"_s;
    if (now < notBefore)
        return u"not valid until %1 (in %2)"_s.arg(notBefore.toString(Qt::ISODate), span(now.secsTo(notBefore)));
    if (now > notAfter)
        return u"expired %1 ago"_s.arg(span(notAfter.secsTo(now)));
    return u"valid, expires in %1"_s.arg(span(now.secsTo(notAfter)));
}

QString CertificateDetails::commonName() const
{
    for (const auto &e : subject) {
        if (e.shortName == u"CN")
            return e.value;
    }
    return {};
}

QString CertificateDetails::summary() const
{
    return u"%1 (issued by %2)"_s.arg(subjectText, issuerText);
}

QJsonObject CertificateDetails::toJson() const
{
    QJsonArray sans;
    for (const auto &s : subjectAltNames)
        sans.append(QJsonObject {{u"type"_s, s.type}, {u"value"_s, s.value}});
    QJsonArray exts;
    for (const auto &e : extensions)
        exts.append(
            QJsonObject {{u"name"_s, e.name}, {u"oid"_s, e.oid}, {u"critical"_s, e.critical}, {u"text"_s, e.text}});
    QJsonObject key {
        {u"algorithm"_s, publicKeyAlgorithm}, {u"openssl"_s, publicKeyAlgorithmOid}, {u"bits"_s, publicKeyBits}};
    if (!publicKeyCurve.isEmpty())
        key.insert(u"curve"_s, publicKeyCurve);
    return QJsonObject {
        {u"subject"_s, subjectText},
        {u"subjectAttributes"_s, namesJson(subject)},
        {u"issuer"_s, issuerText},
        {u"issuerAttributes"_s, namesJson(issuer)},
        {u"version"_s, version},
        {u"serial"_s, serialHex},
        {u"notBefore"_s, notBefore.toString(Qt::ISODate)},
        {u"notAfter"_s, notAfter.toString(Qt::ISODate)},
        {u"validity"_s, validityStatus()},
        {u"publicKey"_s, key},
        {u"signatureAlgorithm"_s, signatureAlgorithm},
        {u"subjectAltNames"_s, sans},
        {u"extensions"_s, exts},
        {u"isCa"_s, isCa},
        {u"selfSigned"_s, isSelfSigned},
        {u"sha256Fingerprint"_s, sha256Fingerprint},
        {u"sha1Fingerprint"_s, sha1Fingerprint},
        {u"spkiSha256"_s, spkiSha256Pin},
        {u"pem"_s, QString::fromLatin1(pem)},
    };
}

namespace {

struct VerifyRecord
{
    int depth;
    int error;
    X509 *certificate; // borrowed from the store context while it lives; compared by content below
    QByteArray der;
};

int verifyIndex()
{
    static const int index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

int collectErrors(int ok, X509_STORE_CTX *ctx)
{
    if (!ok) {
        auto *records = static_cast<QList<VerifyRecord> *>(X509_STORE_CTX_get_ex_data(ctx, verifyIndex()));
        X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
        const QByteArray der = Ossl::derOf(cert);
        if (records)
            records->append({X509_STORE_CTX_get_error_depth(ctx), X509_STORE_CTX_get_error(ctx), cert, der});
    }
    return 1; // go on, to collect every error
}

} // namespace

ChainAnalysis ChainAnalysis::analyze(const QList<QSslCertificate> &chainAsSent,
    const QList<QSslCertificate> &trustAnchors, bool useSystemStore, const QString &hostNameOrIp,
    const QDateTime &verificationTime)
{
    ChainAnalysis a;
    a.checkedName = hostNameOrIp;
    if (chainAsSent.isEmpty())
        return a;

    for (const QSslCertificate &c : chainAsSent) {
        Link link;
        link.details = CertificateDetails::fromCertificate(c);
        a.chain.append(link);
    }
    // Who issued whom, among the certificates sent and then the trust anchors.
    for (qsizetype i = 0; i < chainAsSent.size(); ++i) {
        X509 *subject = Ossl::x509Of(chainAsSent.at(i).handle());
        Link &link = a.chain[i];
        // Signed by its own key (a development certificate need not be allowed to sign certificates to be that).
        if (X509_self_signed(subject, 1) == 1) {
            link.issuerIndex = int(i);
            link.issuerSource = u"self"_s;
            continue;
        }
        for (qsizetype j = 0; j < chainAsSent.size(); ++j) {
            if (j != i && X509_check_issued(Ossl::x509Of(chainAsSent.at(j).handle()), subject) == X509_V_OK) {
                link.issuerIndex = int(j);
                link.issuerSource = u"chain"_s;
                break;
            }
        }
        if (link.issuerIndex < 0) {
            for (const QSslCertificate &anchor : trustAnchors) {
                if (X509_check_issued(Ossl::x509Of(anchor.handle()), subject) == X509_V_OK) {
                    link.issuerSource = u"trust anchor"_s;
                    break;
                }
            }
        }
    }
    ERR_clear_error();

    std::unique_ptr<X509_STORE, Ossl::Deleter<X509_STORE_free>> store(X509_STORE_new());
    for (const QSslCertificate &anchor : trustAnchors)
        X509_STORE_add_cert(store.get(), Ossl::x509Of(anchor.handle()));
    if (useSystemStore)
        X509_STORE_set_default_paths(store.get());
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (qsizetype i = 1; i < chainAsSent.size(); ++i)
        sk_X509_push(untrusted, Ossl::x509Of(chainAsSent.at(i).handle()));

    std::unique_ptr<X509_STORE_CTX, Ossl::Deleter<X509_STORE_CTX_free>> ctx(X509_STORE_CTX_new());
    QList<VerifyRecord> records;
    X509_STORE_CTX_init(ctx.get(), store.get(), Ossl::x509Of(chainAsSent.first().handle()), untrusted);
    X509_STORE_CTX_set_ex_data(ctx.get(), verifyIndex(), &records);
    X509_STORE_CTX_set_verify_cb(ctx.get(), collectErrors);
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx.get());
    if (verificationTime.isValid())
        X509_VERIFY_PARAM_set_time(param, time_t(verificationTime.toSecsSinceEpoch()));
    if (!hostNameOrIp.isEmpty()) {
        const QByteArray name = hostNameOrIp.toUtf8();
        if (!QHostAddress(hostNameOrIp).isNull())
            X509_VERIFY_PARAM_set1_ip_asc(param, name.constData());
        else
            X509_VERIFY_PARAM_set1_host(param, name.constData(), size_t(name.size()));
        X509 *leaf = Ossl::x509Of(chainAsSent.first().handle());
        const int match = !QHostAddress(hostNameOrIp).isNull()
            ? X509_check_ip_asc(leaf, name.constData(), 0)
            : X509_check_host(leaf, name.constData(), size_t(name.size()), 0, nullptr);
        a.nameMatches = match == 1;
    }
    const int verified = X509_verify_cert(ctx.get());
    ERR_clear_error();

    if (STACK_OF(X509) *built = X509_STORE_CTX_get1_chain(ctx.get())) {
        for (int i = 0; i < sk_X509_num(built); ++i) {
            const QSslCertificate certificate = Ossl::toQt(sk_X509_value(built, i));
            if (!certificate.isNull())
                a.trustPath.append(CertificateDetails::fromCertificate(certificate));
        }
        sk_X509_pop_free(built, X509_free);
    }
    ctx.reset();
    sk_X509_free(untrusted);

    for (const VerifyRecord &r : records) {
        const QString text = QString::fromLatin1(X509_verify_cert_error_string(r.error));
        a.errors.append(u"depth %1: %2"_s.arg(r.depth).arg(text));
        // The error concerns the certificate OpenSSL was looking at: find it in the chain as sent.
        qsizetype index = -1;
        for (qsizetype i = 0; i < chainAsSent.size(); ++i) {
            if (chainAsSent.at(i).toDer() == r.der) {
                index = i;
                break;
            }
        }
        if (index < 0 && r.depth < a.chain.size() && r.der.isEmpty())
            index = r.depth;
        if (index >= 0 && !a.chain[index].errorCodes.contains(r.error)) {
            a.chain[index].errors.append(text);
            a.chain[index].errorCodes.append(r.error);
        }
    }
    // Anchors found by the store but not sent.
    for (qsizetype i = 0; i < a.chain.size(); ++i) {
        Link &link = a.chain[i];
        if (link.issuerIndex < 0 && link.issuerSource.isEmpty()) {
            const bool found = i + 1 < a.trustPath.size() && i + 1 >= chainAsSent.size();
            link.issuerSource = found ? u"system store"_s : u"not found"_s;
        }
        // Verified: on the path OpenSSL built, and no error at this certificate or anywhere above it.
        qsizetype depth = -1;
        for (qsizetype p = 0; p < a.trustPath.size() && depth < 0; ++p) {
            if (a.trustPath.at(p).pem == link.details.pem)
                depth = p;
        }
        bool clean = depth >= 0;
        for (const VerifyRecord &r : records)
            clean = clean && r.depth < depth;
        link.verified = clean;
    }
    a.trusted = verified == 1 && records.isEmpty();
    return a;
}

QJsonObject ChainAnalysis::toJson() const
{
    QJsonArray links;
    for (const Link &l : chain) {
        links.append(QJsonObject {
            {u"subject"_s, l.details.subjectText},
            {u"issuerIndex"_s, l.issuerIndex},
            {u"issuerSource"_s, l.issuerSource},
            {u"verified"_s, l.verified},
            {u"errors"_s, QJsonArray::fromStringList(l.errors)},
        });
    }
    QJsonObject o {{u"trusted"_s, trusted}, {u"chain"_s, links}, {u"errors"_s, QJsonArray::fromStringList(errors)}};
    if (nameMatches) {
        o.insert(u"name"_s, checkedName);
        o.insert(u"nameMatches"_s, *nameMatches);
    }
    return o;
}

} // namespace TlsLab::Model
