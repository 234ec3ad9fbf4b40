#include "app/cli/jsonprinter.h"

#include "model/timeline/timelineexport.h"

#include <QJsonDocument>

namespace TlsLab::Cli {

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
        printLine(event.toText());
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
    write(line.toUtf8() + '\n');
}

} // namespace TlsLab::Cli
