#include "app/cli/certcommand.h"

#include "app/cli/commandline.h"
#include "model/certs/certificatedetails.h"
#include "model/certs/certificategenerator.h"
#include "model/certs/certificateio.h"
#include "model/certs/certificateplan.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include <cstdio>
#include <optional>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace TlsLab::Cli {

namespace {

enum { Ok = 0, Failed = 1, Usage = 2 };

void out(const QString &line)
{
    const QByteArray utf8 = line.toUtf8() + '\n';
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stdout);
}

int fail(const QString &message, int code = Failed)
{
    const QByteArray utf8 = (u"tlslab: "_s + message).toUtf8() + '\n';
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stderr);
    return code;
}

// Parses (never exits the process); handles --help. Returns an exit code when the command should stop.
std::optional<int> parse(QCommandLineParser &parser, const QString &command, const QStringList &arguments)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOption(help);
    if (!parser.parse(QStringList {u"tlslab "_s + command} + arguments))
        return fail(parser.errorText() + u" (see --help)"_s, Usage);
    if (parser.isSet(help)) {
        // Qt names the executable's file in the usage line; name the command instead.
        QString text = parser.helpText().trimmed();
        const qsizetype options = text.indexOf(u" [options]"_s);
        if (text.startsWith(u"Usage: "_s) && options > 0)
            text.replace(7, options - 7, u"tlslab "_s + command);
        out(text);
        return Ok;
    }
    return std::nullopt;
}

QByteArray passphraseFrom(const QCommandLineParser &parser, const QString &option)
{
    return passphraseFromEnv(parser.value(option));
}

std::optional<QDateTime> parseDate(const QString &text)
{
    QDateTime dt = QDateTime::fromString(text, Qt::ISODate);
    if (!dt.isValid()) {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        if (!d.isValid())
            return std::nullopt;
        dt = QDateTime(d, QTime(0, 0), Qt::UTC);
    }
    if (dt.timeSpec() == Qt::LocalTime)
        dt.setTimeSpec(Qt::UTC); // a date without a zone is UTC, as in certificates
    return dt.toUTC();
}

int runNew(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Create a key and a certificate: PREFIX.pem (certificate), PREFIX.key (private key, mode 0600) and, when "
        "signed by a CA, PREFIX.chain.pem (certificate followed by the CA's chain)."_s);
    const QCommandLineOption profile(u"profile"_s, u"self-signed, ca, intermediate, server or client."_s, u"PROFILE"_s);
    const QCommandLineOption keyType(u"key-type"_s,
        u"rsa-2048, rsa-3072, rsa-4096, ec-p256 (default), ec-p384 or ed25519."_s, u"TYPE"_s, u"ec-p256"_s);
    const QCommandLineOption cn(u"cn"_s, u"Subject common name."_s, u"NAME"_s);
    const QCommandLineOption org(u"org"_s, u"Subject organization (O)."_s, u"NAME"_s);
    const QCommandLineOption unit(u"unit"_s, u"Subject organizational unit (OU)."_s, u"NAME"_s);
    const QCommandLineOption locality(u"locality"_s, u"Subject locality (L)."_s, u"NAME"_s);
    const QCommandLineOption state(u"state"_s, u"Subject state (ST)."_s, u"NAME"_s);
    const QCommandLineOption country(u"country"_s, u"Subject country (C), two letters."_s, u"CC"_s);
    const QCommandLineOption email(u"email"_s, u"Subject emailAddress."_s, u"ADDRESS"_s);
    const QCommandLineOption san(
        u"san"_s, u"Subject alternative names: DNS:a,IP:b,email:c,URI:d (repeatable)."_s, u"LIST"_s);
    const QCommandLineOption days(u"days"_s, u"Valid for N days from now (default 365)."_s, u"N"_s);
    const QCommandLineOption notBefore(
        u"not-before"_s, u"Start of validity (YYYY-MM-DD or ISO date-time, UTC)."_s, u"DATE"_s);
    const QCommandLineOption notAfter(
        u"not-after"_s, u"End of validity (YYYY-MM-DD or ISO date-time, UTC)."_s, u"DATE"_s);
    const QCommandLineOption ca(u"ca"_s, u"Sign with the CA in PREFIX.pem and PREFIX.key."_s, u"PREFIX"_s);
    const QCommandLineOption caPass(
        u"ca-passphrase-env"_s, u"Environment variable holding the CA key's passphrase."_s, u"VAR"_s);
    const QCommandLineOption pass(u"passphrase-env"_s,
        u"Encrypt the new key (AES-256) with the passphrase in this environment variable."_s, u"VAR"_s);
    const QCommandLineOption pathLen(u"path-length"_s, u"basicConstraints pathlen for CA profiles."_s, u"N"_s);
    const QCommandLineOption keyUsage(
        u"key-usage"_s, u"keyUsage, OpenSSL names (e.g. critical,digitalSignature)."_s, u"LIST"_s);
    const QCommandLineOption eku(
        u"eku"_s, u"extendedKeyUsage, OpenSSL names (e.g. serverAuth,clientAuth)."_s, u"LIST"_s);
    const QCommandLineOption digest(
        u"digest"_s, u"Signature digest (default SHA256; ignored for Ed25519)."_s, u"NAME"_s, u"SHA256"_s);
    const QCommandLineOption pkcs12(u"pkcs12"_s, u"Also write PREFIX.p12 (needs --passphrase-env)."_s);
    const QCommandLineOption force(u"force"_s, u"Overwrite existing files."_s);
    const QCommandLineOption outPrefix(u"out"_s, u"Output prefix."_s, u"PREFIX"_s);
    parser.addOptions({profile, keyType, cn, org, unit, locality, state, country, email, san, days, notBefore, notAfter,
        ca, caPass, pass, pathLen, keyUsage, eku, digest, pkcs12, force, outPrefix});
    if (auto stop = parse(parser, u"cert new"_s, arguments))
        return *stop;
    if (!parser.positionalArguments().isEmpty())
        return fail(u"cert new: unexpected argument \"%1\""_s.arg(parser.positionalArguments().first()), Usage);

    CertificateRequest request;
    if (!parser.isSet(profile))
        return fail(u"cert new: --profile is required (self-signed, ca, intermediate, server or client)"_s, Usage);
    const auto p = profileFromName(parser.value(profile));
    if (!p)
        return fail(u"cert new: unknown profile \"%1\" (self-signed, ca, intermediate, server or client)"_s.arg(
                        parser.value(profile)),
            Usage);
    request.profile = *p;
    const auto k = keyTypeFromName(parser.value(keyType));
    if (!k)
        return fail(
            u"cert new: unknown key type \"%1\" (rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384, ed25519)"_s.arg(
                parser.value(keyType)),
            Usage);
    request.keyType = *k;
    if (!parser.isSet(outPrefix))
        return fail(u"cert new: --out PREFIX is required"_s, Usage);
    request.subject = {parser.value(cn), parser.value(org), parser.value(unit), parser.value(locality),
        parser.value(state), parser.value(country), parser.value(email)};
    for (const QString &list : parser.values(san))
        request.subjectAltNames += list.split(u',', Qt::SkipEmptyParts);
    if (parser.isSet(days) && (parser.isSet(notBefore) || parser.isSet(notAfter)))
        return fail(u"cert new: use either --days or --not-before/--not-after"_s, Usage);
    if (parser.isSet(days)) {
        bool ok = false;
        const int n = parser.value(days).toInt(&ok);
        if (!ok || n <= 0)
            return fail(u"cert new: --days needs a positive number of days"_s, Usage);
        request.notBefore = QDateTime::currentDateTimeUtc().addSecs(-60);
        request.notAfter = request.notBefore.addDays(n);
    }
    if (parser.isSet(notBefore)) {
        const auto d = parseDate(parser.value(notBefore));
        if (!d)
            return fail(
                u"cert new: --not-before \"%1\" is not a date (YYYY-MM-DD)"_s.arg(parser.value(notBefore)), Usage);
        request.notBefore = *d;
    }
    if (parser.isSet(notAfter)) {
        const auto d = parseDate(parser.value(notAfter));
        if (!d)
            return fail(
                u"cert new: --not-after \"%1\" is not a date (YYYY-MM-DD)"_s.arg(parser.value(notAfter)), Usage);
        request.notAfter = *d;
    }
    if (request.notAfter.isValid() && !request.notBefore.isValid())
        request.notBefore = qMin(QDateTime::currentDateTimeUtc().addSecs(-60), request.notAfter.addDays(-365));
    if (parser.isSet(pathLen)) {
        bool ok = false;
        request.pathLength = parser.value(pathLen).toInt(&ok);
        if (!ok || *request.pathLength < 0)
            return fail(u"cert new: --path-length needs a number >= 0"_s, Usage);
    }
    request.keyUsage = parser.value(keyUsage);
    request.extendedKeyUsage = parser.value(eku);
    request.digest = parser.value(digest);

    const bool needsCa = request.profile == CertificateProfile::Server || request.profile == CertificateProfile::Client
        || request.profile == CertificateProfile::IntermediateCa;
    if (needsCa && !parser.isSet(ca))
        return fail(u"cert new: the %1 profile needs --ca PREFIX"_s.arg(profileName(request.profile)), Usage);
    if (!needsCa && parser.isSet(ca))
        return fail(
            u"cert new: the %1 profile is self-signed; --ca does not apply"_s.arg(profileName(request.profile)), Usage);
    if (parser.isSet(ca)) {
        const QString prefix = parser.value(ca);
        auto issuer = CertificateIo::loadIdentity(
            prefix + u".pem"_s, prefix + u".key"_s, passphraseFrom(parser, caPass.names().first()));
        if (!issuer)
            return fail(issuer.error());
        request.issuer = *issuer;
    }
    if (const Status valid = CertificateGenerator::validate(request); !valid)
        return fail(valid.error());

    const QByteArray passphrase = passphraseFrom(parser, pass.names().first());
    if (parser.isSet(pass) && passphrase.isEmpty())
        return fail(u"cert new: the environment variable %1 is not set or empty"_s.arg(parser.value(pass)));
    if (parser.isSet(pkcs12) && passphrase.isEmpty())
        return fail(u"cert new: --pkcs12 needs --passphrase-env"_s, Usage);

    CertificatePlan plan;
    plan.files = CertificatePlan::filesForPrefix(parser.value(outPrefix), needsCa, parser.isSet(pkcs12), false);
    plan.passphrase = passphrase;
    plan.overwrite = parser.isSet(force) ? CertificateIo::Overwrite::Yes : CertificateIo::Overwrite::No;
    plan.friendlyName = request.subject.commonName;
    if (plan.overwrite == CertificateIo::Overwrite::No) {
        if (const QStringList existing = plan.existingFiles(); !existing.isEmpty())
            return fail(u"%1: already exists (use --force to overwrite)"_s.arg(existing.first()));
    }

    const CertificatePlan::Outcome outcome = plan.generateAndWrite(request);
    if (!outcome.identity)
        return fail(outcome.error);
    const std::optional<Identity> &identity = outcome.identity;
    const CertificateDetails d = CertificateDetails::fromCertificate(identity->leaf());
    out(u"%1 %2 certificate %3"_s.arg(profileName(request.profile), keyTypeName(request.keyType), d.subjectText));
    out(u"  valid %1 to %2"_s.arg(d.notBefore.toString(Qt::ISODate), d.notAfter.toString(Qt::ISODate)));
    out(u"  SHA-256 %1"_s.arg(d.sha256Fingerprint));
    for (const CertificatePlan::File &f : std::as_const(plan.files))
        out(u"  wrote %1"_s.arg(f.path));
    return Ok;
}

void printDetails(const CertificateDetails &d, int index, int count)
{
    out(u"Certificate %1 of %2"_s.arg(index + 1).arg(count));
    out(u"  Subject:             %1"_s.arg(d.subjectText));
    out(u"  Issuer:              %1"_s.arg(d.issuerText));
    out(u"  Version:             %1"_s.arg(d.version));
    out(u"  Serial:              %1"_s.arg(d.serialHex));
    out(u"  Not before:          %1"_s.arg(d.notBeforeText));
    out(u"  Not after:           %1"_s.arg(d.notAfterText));
    out(u"  Status:              %1"_s.arg(d.validityStatus()));
    QString key = d.publicKeyAlgorithm;
    if (!d.publicKeyCurve.isEmpty())
        key += u' ' + d.publicKeyCurve;
    key += u" (%1 bits)"_s.arg(d.publicKeyBits);
    out(u"  Public key:          %1"_s.arg(key));
    out(u"  Signature algorithm: %1"_s.arg(d.signatureAlgorithm));
    QStringList sans;
    for (const auto &s : d.subjectAltNames)
        sans << s.type + u':' + s.value;
    if (!sans.isEmpty())
        out(u"  Alternative names:   %1"_s.arg(sans.join(u", "_s)));
    if (!d.extensions.isEmpty())
        out(u"  Extensions:"_s);
    for (const auto &e : d.extensions) {
        out(u"    %1%2:"_s.arg(e.name, e.critical ? u" (critical)"_s : QString()));
        for (const QString &line : e.text.split(u'\n')) {
            if (!line.trimmed().isEmpty())
                out(u"        "_s + line);
        }
    }
    out(u"  SHA-256 fingerprint: %1"_s.arg(d.sha256Fingerprint));
    out(u"  SHA-1 fingerprint:   %1"_s.arg(d.sha1Fingerprint));
    out(u"  SPKI SHA-256 pin:    %1"_s.arg(d.spkiSha256Pin));
}

int runShow(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Show every certificate in a PEM, DER or PKCS#12 file; with --ca or --host, "
                                     "also verify the chain."_s);
    parser.addPositionalArgument(u"FILE"_s, u"Certificate file (PEM with one or more certificates, DER, PKCS#12)."_s);
    const QCommandLineOption json(u"json"_s, u"One compact JSON object per certificate (and one for the chain)."_s);
    const QCommandLineOption ca(u"ca"_s, u"Trust anchors (PEM) to verify the chain against."_s, u"FILE"_s);
    const QCommandLineOption systemCa(u"system-ca"_s, u"Also trust the system's CA store."_s);
    const QCommandLineOption host(
        u"host"_s, u"Check that the leaf is valid for this host name or IP address."_s, u"NAME"_s);
    const QCommandLineOption pass(
        u"passphrase-env"_s, u"Environment variable holding a PKCS#12 passphrase."_s, u"VAR"_s);
    const QCommandLineOption noPem(u"no-pem"_s, u"Leave the PEM out of the JSON."_s);
    parser.addOptions({json, ca, systemCa, host, pass, noPem});
    if (auto stop = parse(parser, u"cert show"_s, arguments))
        return *stop;
    if (parser.positionalArguments().size() != 1)
        return fail(u"cert show: give exactly one FILE (see --help)"_s, Usage);
    const QString file = parser.positionalArguments().first();

    auto data = CertificateIo::readFile(file);
    if (!data)
        return fail(data.error());
    QList<QSslCertificate> certificates;
    if (CertificateIo::isPkcs12(*data)) {
        auto identity = CertificateIo::identityFromPkcs12(*data, passphraseFrom(parser, pass.names().first()), file);
        if (!identity)
            return fail(identity.error());
        certificates = identity->chain;
    } else {
        auto certs = CertificateIo::certificatesFromData(*data, file);
        if (!certs)
            return fail(certs.error());
        certificates = *certs;
    }

    std::optional<ChainAnalysis> analysis;
    if (parser.isSet(ca) || parser.isSet(host) || parser.isSet(systemCa)) {
        QList<QSslCertificate> anchors;
        if (parser.isSet(ca)) {
            auto loaded = CertificateIo::readCertificates(parser.value(ca));
            if (!loaded)
                return fail(loaded.error());
            anchors = *loaded;
        }
        const bool useSystem = parser.isSet(systemCa) || !parser.isSet(ca);
        analysis = ChainAnalysis::analyze(certificates, anchors, useSystem, parser.value(host));
    }

    for (qsizetype i = 0; i < certificates.size(); ++i) {
        const CertificateDetails d = CertificateDetails::fromCertificate(certificates.at(i));
        if (parser.isSet(json)) {
            QJsonObject o = d.toJson();
            o.insert(u"index"_s, int(i));
            if (parser.isSet(noPem))
                o.remove(u"pem"_s);
            if (analysis) {
                const auto &link = analysis->chain.at(i);
                o.insert(u"verified"_s, link.verified);
                o.insert(u"verifyErrors"_s, QJsonArray::fromStringList(link.errors));
                o.insert(u"issuerIndex"_s, link.issuerIndex);
            }
            out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
        } else {
            if (i > 0)
                out({});
            printDetails(d, int(i), int(certificates.size()));
            if (analysis) {
                const auto &link = analysis->chain.at(i);
                const QString issuer = link.issuerSource == u"chain"_s
                    ? u"certificate %1 of this file"_s.arg(link.issuerIndex + 1)
                    : link.issuerSource;
                out(u"  Issued by:           %1"_s.arg(issuer));
                out(u"  Verification:        %1"_s.arg(link.verified ? u"OK"_s
                                                                     : u"FAILED: "_s
                            + (link.errors.isEmpty() ? u"its issuer is not trusted"_s : link.errors.join(u"; "_s))));
            }
        }
    }
    if (analysis) {
        if (parser.isSet(json)) {
            out(QString::fromUtf8(
                QJsonDocument(QJsonObject {{u"chainVerdict"_s, analysis->toJson()}}).toJson(QJsonDocument::Compact)));
        } else {
            out({});
            out(u"Chain: %1"_s.arg(analysis->trusted ? u"trusted"_s : u"NOT trusted"_s));
            for (const QString &e : analysis->errors)
                out(u"  "_s + e);
            if (analysis->nameMatches)
                out(u"Name %1: %2"_s.arg(
                    analysis->checkedName, *analysis->nameMatches ? u"matches"_s : u"does NOT match"_s));
        }
    }
    // Verification was asked for: the exit status tells the verdict.
    return analysis && !analysis->trusted ? Failed : Ok;
}

} // namespace

int runCertCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    const QStringList rest = arguments.mid(2);
    if (sub == u"new")
        return runNew(rest);
    if (sub == u"show")
        return runShow(rest);
    const QString usage = u"Usage: tlslab cert new --profile P --key-type T --cn NAME [--san LIST] [--days N | "
                          "--not-before DATE --not-after DATE] [--ca PREFIX] [--passphrase-env VAR] [--force] "
                          "--out PREFIX\n       tlslab cert show FILE [--json] [--ca FILE] [--host NAME]\n"
                          "Run \"tlslab cert new --help\" or \"tlslab cert show --help\" for details."_s;
    if (sub == u"--help" || sub == u"-h" || sub == u"help") {
        out(usage);
        return Ok;
    }
    if (sub.isEmpty())
        return fail(u"cert: missing subcommand (new or show); see \"tlslab cert --help\""_s, Usage);
    return fail(u"cert: unknown subcommand \"%1\" (new or show)"_s.arg(sub), Usage);
}

} // namespace TlsLab::Cli
