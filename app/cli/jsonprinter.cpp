#include "app/cli/jsonprinter.h"

#include "model/timeline/timelineexport.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace TlsLab::Cli {

namespace {

// Text goes to a terminal: what a remote peer controls (SNI, ALPN, HTTP targets, previews) must not reach it as
// control characters, or a client could move the cursor, recolour, or forge whole lines. Control characters (C0, DEL,
// C1), line and paragraph separators and bidirectional overrides are written as visible escapes.
QString escapeControls(const QString &text, bool keepNewlines)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool control = u < 0x20 || u == 0x7f || (u >= 0x80 && u <= 0x9f) || u == 0x2028 || u == 0x2029
            || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069);
        if (!control || (keepNewlines && (u == u'\n' || u == u'\t'))) {
            out.append(c);
        } else if (u == u'\n') {
            out.append(u"\\n"_s);
        } else if (u == u'\r') {
            out.append(u"\\r"_s);
        } else if (u == u'\t') {
            out.append(u"\\t"_s);
        } else if (u < 0x100) {
            out.append(u"\\x"_s + QString::number(u, 16).rightJustified(2, u'0'));
        } else {
            out.append(u"\\u"_s + QString::number(u, 16).rightJustified(4, u'0'));
        }
    }
    return out;
}

} // namespace

void EventPrinter::write(const QByteArray &bytes) const
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), m_out);
    std::fflush(m_out);
}

void EventPrinter::print(const Model::Event &event) const
{
    if (m_filter && !m_filter->matches(event))
        return;
    switch (m_format) {
    case Format::Text:
        write(escapeControls(event.toText(), false).toUtf8() + '\n');
        return;
    case Format::Json:
        write(event.toJsonLine());
        return;
    case Format::Csv:
        if (!m_csvHeaderWritten) {
            m_csvHeaderWritten = true;
            write(Model::TimelineExport::csvHeader() + Model::TimelineExport::csvLine(event));
            return;
        }
        write(Model::TimelineExport::csvLine(event));
        return;
    }
}

void EventPrinter::printObject(const QJsonObject &object) const
{
    if (m_format != Format::Json)
        return;
    QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    line += '\n';
    write(line);
}

void EventPrinter::printLine(const QString &line) const
{
    if (m_format != Format::Text)
        return;
    write(escapeControls(line, true).toUtf8() + '\n');
}

} // namespace TlsLab::Cli
