#include "widgets/certificatesummary.h"

#include "model/tls/tlstext.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("CertificateSummary", text);
}

QString distinguishedName(const QSslCertificate &c, bool issuer)
{
    const QList<QByteArray> attributes = issuer ? c.issuerInfoAttributes() : c.subjectInfoAttributes();
    QStringList parts;
    for (const QByteArray &a : attributes) {
        const QStringList values = issuer ? c.issuerInfo(a) : c.subjectInfo(a);
        for (const QString &v : values)
            parts.append(QString::fromLatin1(a) + u'=' + v);
    }
    return parts.join(u", "_s);
}

QString row(const QString &name, const QString &value)
{
    return u"<tr><td style='padding-right:12px'><b>"_s + name.toHtmlEscaped() + u"</b></td><td>"_s + value
        + u"</td></tr>"_s;
}
} // namespace

QString subjectAltNamesText(const QSslCertificate &certificate)
{
    QStringList out;
    const auto names = certificate.subjectAlternativeNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it) {
        QString prefix;
        switch (it.key()) {
        case QSsl::DnsEntry:
            prefix = u"DNS"_s;
            break;
        case QSsl::EmailEntry:
            prefix = u"email"_s;
            break;
        case QSsl::IpAddressEntry:
            prefix = u"IP Address"_s;
            break;
        }
        out.append(prefix + u':' + it.value());
    }
    return out.join(u", "_s);
}

QString certificateChainHtml(const QList<QSslCertificate> &chain, const QList<QSslError> &errors, bool verdicts)
{
    if (chain.isEmpty())
        return u"<p>"_s + tr("No certificate was presented.") + u"</p>"_s;
    QString html;
    for (int i = 0; i < chain.size(); ++i) {
        const QSslCertificate &c = chain.at(i);
        html += u"<h4>"_s + (i == 0 ? tr("Certificate %1 (leaf)") : tr("Certificate %1")).arg(i + 1) + u": "_s
            + TlsText::certificateName(c).toHtmlEscaped() + u"</h4><table>"_s;
        html += row(tr("Subject"), distinguishedName(c, false).toHtmlEscaped());
        html += row(tr("Issuer"), distinguishedName(c, true).toHtmlEscaped());
        const QString san = subjectAltNamesText(c);
        if (!san.isEmpty())
            html += row(tr("Subject Alternative Name"), san.toHtmlEscaped());
        html += row(tr("SHA-256 Fingerprint"), u"<code>"_s + TlsText::sha256(c) + u"</code>"_s);
        html += row(tr("Serial"), QString::fromLatin1(c.serialNumber()));
        html += row(tr("Valid"),
            tr("%1 to %2")
                .arg(c.effectiveDate().toUTC().toString(Qt::ISODate), c.expiryDate().toUTC().toString(Qt::ISODate)));
        if (verdicts) {
            QStringList problems;
            for (const QSslError &e : errors) {
                if (e.certificate() == c || (e.certificate().isNull() && i == 0))
                    problems.append(TlsText::errorWords(e.error()));
            }
            html += row(tr("Verdict"),
                problems.isEmpty() ? tr("no verification error") : problems.join(u"; "_s).toHtmlEscaped());
        }
        html += u"</table>"_s;
    }
    return html;
}

} // namespace TlsLab::Widgets
