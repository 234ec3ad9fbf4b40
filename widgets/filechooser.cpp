#include "widgets/filechooser.h"

#include <QFileDialog>
#include <QLineEdit>
#include <QPointer>

namespace TlsLab::Widgets {

void chooseCertificateFile(QLineEdit *edit, const QString &title)
{
    auto *dialog = new QFileDialog(edit->window(), title, edit->text(),
        QFileDialog::tr("Certificates and keys (*.pem *.crt *.cer *.der *.key);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    QObject::connect(dialog, &QFileDialog::fileSelected, edit, [edit = QPointer<QLineEdit>(edit)](const QString &path) {
        if (edit && !path.isEmpty())
            edit->setText(path);
    });
    dialog->open();
}

} // namespace TlsLab::Widgets
