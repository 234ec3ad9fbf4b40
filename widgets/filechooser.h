#pragma once

#include <QString>

class QLineEdit;

namespace TlsLab::Widgets {

// Lets the user pick a certificate or key file for a line edit, in a window-modal file dialog that does not block
// the event loop (open(), not exec()); the chosen path replaces the edit's text.
void chooseCertificateFile(QLineEdit *edit, const QString &title);

} // namespace TlsLab::Widgets
