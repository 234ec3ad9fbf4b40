#include "model/tls/plaintextpayload.h"

#include <QObject>

#include <cctype>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

Result<QByteArray> makePayload(PayloadKind kind, const QString &text, const QString &host)
{
    switch (kind) {
    case PayloadKind::TextLine:
        return QByteArray(text.toUtf8() + '\n');
    case PayloadKind::HttpGet: {
        QString path = text.trimmed();
        if (!path.startsWith(u'/'))
            path = u"/"_s + path;
        return QStringLiteral("GET %1 HTTP/1.1\r\nHost: %2\r\nUser-Agent: TLS Lab\r\nConnection: close\r\n\r\n")
            .arg(path, host)
            .toUtf8();
    }
    case PayloadKind::RawHex: {
        QByteArray digits = text.toLatin1();
        digits.replace(' ', "").replace(':', "").replace('\n', "").replace('\r', "").replace('\t', "");
        if (digits.startsWith("0x") || digits.startsWith("0X"))
            digits = digits.mid(2);
        if (digits.isEmpty())
            return Result<QByteArray>::failure(QObject::tr("the hex payload has no hex digits"));
        if (digits.size() % 2)
            return Result<QByteArray>::failure(
                QObject::tr("the hex payload has an odd number of digits (%1)").arg(digits.size()));
        for (char c : std::as_const(digits)) {
            if (!std::isxdigit(static_cast<unsigned char>(c)))
                return Result<QByteArray>::failure(
                    QObject::tr("the hex payload contains \"%1\", which is not a hex digit").arg(QLatin1Char(c)));
        }
        return QByteArray::fromHex(digits);
    }
    case PayloadKind::Nothing:
        return QByteArray();
    }
    return QByteArray();
}

QString examplePayloadText(PayloadKind kind)
{
    switch (kind) {
    case PayloadKind::TextLine:
        return u"hello"_s;
    case PayloadKind::HttpGet:
        return u"/"_s;
    case PayloadKind::RawHex:
        return u"16 03 01 00 05 68 65 6c 6c 6f"_s;
    case PayloadKind::Nothing:
        return {};
    }
    return {};
}

} // namespace TlsLab::Model
