#include "widgets/optioncombos.h"

#include <QCoreApplication>

namespace TlsLab::Widgets {

void fillProtocolCombo(QComboBox *combo)
{
    combo->addItem(QCoreApplication::translate("OptionCombos", "TLS 1.2 or later"), int(QSsl::TlsV1_2OrLater));
    combo->addItem(QCoreApplication::translate("OptionCombos", "TLS 1.3 or later"), int(QSsl::TlsV1_3OrLater));
    combo->addItem(QCoreApplication::translate("OptionCombos", "TLS 1.2 only"), int(QSsl::TlsV1_2));
    combo->addItem(QCoreApplication::translate("OptionCombos", "TLS 1.3 only"), int(QSsl::TlsV1_3));
}

void fillPayloadCombo(QComboBox *combo)
{
    using Model::PayloadKind;
    combo->addItem(QCoreApplication::translate("OptionCombos", "A line of text"), int(PayloadKind::TextLine));
    combo->addItem(QCoreApplication::translate("OptionCombos", "An HTTP GET request"), int(PayloadKind::HttpGet));
    combo->addItem(QCoreApplication::translate("OptionCombos", "Raw bytes (hex)"), int(PayloadKind::RawHex));
    combo->addItem(QCoreApplication::translate("OptionCombos", "Nothing"), int(PayloadKind::Nothing));
}

} // namespace TlsLab::Widgets
