"""The one Indonesian/English catalogue for every screen, ticket and voice.

Keys are grouped by the app that shows them; `tr(key, lang, **params)` fills
`{placeholders}`. Indonesian is the default and the fallback.
"""

from __future__ import annotations

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

CATALOGUE: dict[str, tuple[str, str]] = {
    # --- common -------------------------------------------------------------
    "common.disconnected": (
        "Koneksi ke server terputus. Menyambung kembali…",
        "Connection to the server lost. Reconnecting…",
    ),
    "common.connecting": ("Menyambung ke server…", "Connecting to the server…"),
    "common.connected": ("Tersambung", "Connected"),
    "common.minutes": ("{n} menit", "{n} min"),
    "common.language_switch": ("English", "Bahasa Indonesia"),
    "common.priority": ("Prioritas", "Priority"),
    "common.regular": ("Reguler", "Regular"),
    "status.waiting": ("Menunggu", "Waiting"),
    "status.called": ("Dipanggil", "Called"),
    "status.serving": ("Dilayani", "Serving"),
    "status.done": ("Selesai", "Done"),
    "status.no_show": ("Tidak hadir", "No-show"),
    "counter_state.open": ("Buka", "Open"),
    "counter_state.paused": ("Istirahat", "On break"),
    "counter_state.closed": ("Tutup", "Closed"),
    # --- server error codes, as a person should read them -------------------
    "error.bad_request": ("Permintaan tidak valid.", "Invalid request."),
    "error.unknown_type": ("Permintaan tidak dikenal.", "Unknown request."),
    "error.unauthorized": ("Tidak berwenang. Silakan masuk.", "Not authorised. Please log in."),
    "error.forbidden": ("Tidak diizinkan untuk perangkat ini.", "Not allowed for this device."),
    "error.not_found": ("Tidak ditemukan.", "Not found."),
    "error.conflict": (
        "Tidak dapat dilakukan pada keadaan sekarang.",
        "Not possible in the current state.",
    ),
    "error.service_closed": ("Layanan ini sedang tutup.", "This service is closed."),
    "error.quota_exhausted": (
        "Kuota hari ini untuk layanan ini sudah habis.",
        "Today's quota for this service is used up.",
    ),
    "error.rate_limited": (
        "Terlalu banyak permintaan. Mohon tunggu sebentar.",
        "Too many requests. Please wait a moment.",
    ),
    "error.internal": (
        "Terjadi kesalahan pada server. Silakan hubungi petugas.",
        "The server had a problem. Please ask a member of staff.",
    ),
    "error.timeout": (
        "Server tidak menjawab. Mencoba lagi…",
        "The server did not answer. Trying again…",
    ),
    # --- kiosk --------------------------------------------------------------
    # the kiosk's screens (kiosk/screens.py)
    "kiosk.weekdays": (
        "Senin,Selasa,Rabu,Kamis,Jumat,Sabtu,Minggu",
        "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    ),
    "kiosk.months": (
        "Januari,Februari,Maret,April,Mei,Juni,Juli,Agustus,September,Oktober,November,Desember",
        "January,February,March,April,May,June,July,August,September,October,November,December",
    ),
    "kiosk.date": ("{weekday}, {day} {month} {year}", "{weekday}, {day} {month} {year}"),
    "kiosk.connecting": ("Menyambung ke server… Mohon tunggu.", "Connecting… Please wait."),
    "kiosk.offline": (
        "Kios tidak tersambung ke server. Nomor belum bisa diambil, mohon tunggu.",
        "Not connected to the server. Numbers cannot be taken yet, please wait.",
    ),
    "kiosk.refused": (
        "Kios ini ditolak oleh server. Silakan hubungi petugas.",
        "The server refused this kiosk. Please ask a member of staff.",
    ),
    "kiosk.back": ("Kembali", "Back"),
    "kiosk.continue": ("Lanjut", "Continue"),
    "kiosk.yes": ("Ya", "Yes"),
    "kiosk.no": ("Tidak", "No"),
    "kiosk.start.welcome": ("Selamat datang di", "Welcome to"),
    "kiosk.start.take": ("Ambil nomor antrean", "Take a number"),
    "kiosk.start.hint": (
        "Sentuh tombol di atas untuk memulai",
        "Touch the button above to begin",
    ),
    "kiosk.services.title": ("Pilih layanan", "Choose a service"),
    "kiosk.services.waiting": ("Menunggu: {n}", "Waiting: {n}"),
    "kiosk.services.waiting_none": ("Tidak ada antrean", "No one waiting"),
    "kiosk.services.eta": ("Tunggu ± {n} menit", "Wait about {n} min"),
    "kiosk.services.eta_none": ("Segera dilayani", "Served soon"),
    "kiosk.services.closed_staff": ("Layanan sedang ditutup", "Closed at the moment"),
    "kiosk.services.closed_hours": ("Buka pukul {start}–{end}", "Open {start}–{end}"),
    "kiosk.services.closed_today": ("Tidak buka hari ini", "Not open today"),
    "kiosk.services.quota": ("Kuota hari ini sudah habis", "Today's quota is used up"),
    "kiosk.services.none": (
        "Belum ada layanan yang dapat dipilih.",
        "No service can be chosen yet.",
    ),
    "kiosk.services.try_other": (
        "Silakan pilih layanan lain atau tanyakan kepada petugas.",
        "Please choose another service or ask a member of staff.",
    ),
    "kiosk.requirements.title": (
        "Pastikan dokumen berikut sudah lengkap",
        "Make sure you have these documents with you",
    ),
    "kiosk.requirements.none": (
        "Tidak ada dokumen khusus yang perlu dibawa.",
        "No particular documents are needed.",
    ),
    "kiosk.requirements.hint": (
        "Belum lengkap? Lengkapi dahulu, lalu ambil nomor.",
        "Something missing? Complete it first, then take a number.",
    ),
    "kiosk.priority.question": (
        "Lansia (60+), penyandang disabilitas, ibu hamil, atau membawa balita?",
        "Aged 60 or over, living with a disability, pregnant, or with a child under five?",
    ),
    "kiosk.priority.hint": (
        "Jika ya, Anda masuk antrean prioritas.",
        "If so, you join the priority queue.",
    ),
    "kiosk.issuing": (
        "Mohon tunggu, nomor Anda sedang dibuat…",
        "Please wait, your number is being issued…",
    ),
    "kiosk.issuing_offline": (
        "Koneksi terputus. Nomor Anda dibuat begitu tersambung kembali. Mohon jangan pergi.",
        "Connection lost. Your number is issued as soon as it is back. Please stay here.",
    ),
    "kiosk.ticket.title": ("Nomor antrean Anda", "Your queue number"),
    "kiosk.ticket.ahead": ("Di depan Anda: {n} orang", "Ahead of you: {n}"),
    "kiosk.ticket.ahead_none": ("Anda berikutnya", "You are next"),
    "kiosk.ticket.eta": ("Perkiraan tunggu ± {n} menit", "Estimated wait ± {n} min"),
    "kiosk.ticket.eta_soon": ("Segera dipanggil", "You will be called soon"),
    "kiosk.ticket.time": ("Diambil pukul {time}", "Taken at {time}"),
    "kiosk.ticket.printing": ("Sedang mencetak…", "Printing…"),
    "kiosk.ticket.printed": ("Silakan ambil tiket Anda", "Please take your ticket"),
    "kiosk.ticket.no_printer": (
        "Catat nomor Anda atau foto kode QR ini.",
        "Note your number or take a photo of this QR code.",
    ),
    "kiosk.ticket.note_number": (
        "Nomor Anda tetap berlaku: catat {number} atau foto kode QR ini.",
        "Your number is valid: note {number} or take a photo of this QR code.",
    ),
    "kiosk.ticket.reprint": ("Cetak ulang", "Reprint"),
    "kiosk.ticket.done": ("Selesai", "Done"),
    "kiosk.ticket.listen": (
        "Tunggu sampai nomor Anda dipanggil di layar.",
        "Wait until your number is called on the screen.",
    ),
    # printed ticket (kiosk/printing.py): plain ASCII, at most 32 characters a line
    "ticket.number_label": ("NOMOR ANTREAN ANDA", "YOUR QUEUE NUMBER"),
    "ticket.priority": ("PRIORITAS", "PRIORITY"),
    "ticket.issued": ("Tanggal {date}  Pukul {time}", "Date {date}  Time {time}"),
    "ticket.ahead": ("Antrean di depan Anda: {n}", "People ahead of you: {n}"),
    "ticket.ahead_none": ("Anda berikutnya", "You are next"),
    "ticket.eta": ("Perkiraan tunggu: {n} menit", "Estimated wait: {n} min"),
    "ticket.eta_soon": ("Segera dipanggil", "You will be called soon"),
    "ticket.keep": (
        "Simpan tiket ini sampai Anda selesai dilayani.",
        "Keep this ticket until you have been served.",
    ),
    "ticket.feedback_qr": (
        "Beri penilaian layanan kami: pindai kode QR",
        "Rate our service: scan the QR code",
    ),
    "ticket.feedback_counter": (
        "Beri penilaian layanan kami di loket setelah dilayani",
        "Rate our service at the counter after you are served",
    ),
    "ticket.printer.unreachable": (
        "Printer tiket tidak terhubung. Silakan hubungi petugas.",
        "The ticket printer is not connected. Please ask a member of staff.",
    ),
    "ticket.printer.no_paper": (
        "Kertas tiket habis. Silakan hubungi petugas.",
        "The ticket printer is out of paper. Please ask a member of staff.",
    ),
    "ticket.printer.cover_open": (
        "Penutup printer tiket terbuka. Silakan hubungi petugas.",
        "The ticket printer cover is open. Please ask a member of staff.",
    ),
    "ticket.printer.timeout": (
        "Printer tiket tidak merespons. Silakan hubungi petugas.",
        "The ticket printer is not responding. Please ask a member of staff.",
    ),
    "ticket.printer.error": (
        "Tiket tidak dapat dicetak. Silakan hubungi petugas.",
        "The ticket could not be printed. Please ask a member of staff.",
    ),
    # --- display ------------------------------------------------------------
    "display.window_title": ("Layar Antrean", "Queue display"),
    "display.pair": ("{first} / {second}", "{first} / {second}"),
    "display.now_calling": ("Nomor Antrean", "Now calling"),
    "display.go_to": ("Silakan menuju", "Please go to"),
    "display.no_calls": ("Belum ada panggilan", "No calls yet"),
    "display.recent": ("Panggilan Terakhir", "Last calls"),
    "display.number": ("Nomor", "Number"),
    "display.counter": ("Loket", "Counter"),
    "display.counter_fallback": ("Loket {id}", "Counter {id}"),
    "display.waiting": ("Jumlah Menunggu", "People waiting"),
    "display.service_closed": ("Tutup", "Closed"),
    "display.welcome": ("Selamat datang di {office}", "Welcome to {office}"),
    "display.ticker_separator": ("   •   ", "   •   "),
    "display.connecting": ("Menyambung ke server…", "Connecting to the server…"),
    "display.disconnected": (
        "Koneksi terputus — menyambung kembali…",
        "Connection lost — reconnecting…",
    ),
    "display.refused": (
        "Server menolak layar ini: periksa nama perangkat dan token.",
        "The server refused this display: check its device name and token.",
    ),
    "display.date": ("{weekday}, {day} {month} {year}", "{weekday}, {day} {month} {year}"),
    "display.time": ("{hour:02d}.{minute:02d} {zone}", "{hour:02d}:{minute:02d} {zone}"),
    "display.weekday.1": ("Senin", "Monday"),
    "display.weekday.2": ("Selasa", "Tuesday"),
    "display.weekday.3": ("Rabu", "Wednesday"),
    "display.weekday.4": ("Kamis", "Thursday"),
    "display.weekday.5": ("Jumat", "Friday"),
    "display.weekday.6": ("Sabtu", "Saturday"),
    "display.weekday.7": ("Minggu", "Sunday"),
    "display.month.1": ("Januari", "January"),
    "display.month.2": ("Februari", "February"),
    "display.month.3": ("Maret", "March"),
    "display.month.4": ("April", "April"),
    "display.month.5": ("Mei", "May"),
    "display.month.6": ("Juni", "June"),
    "display.month.7": ("Juli", "July"),
    "display.month.8": ("Agustus", "August"),
    "display.month.9": ("September", "September"),
    "display.month.10": ("Oktober", "October"),
    "display.month.11": ("November", "November"),
    "display.month.12": ("Desember", "December"),
    "voice.status.ok": ("Suara pengumuman aktif", "Announcement voice on"),
    "voice.status.off": ("Suara pengumuman dimatikan", "Announcement sound off"),
    "voice.status.silent": (
        "Tidak ada perangkat audio: pengumuman tanpa suara",
        "No audio device: announcements are silent",
    ),
    "voice.status.chime_only": (
        "Suara ucapan tidak tersedia: hanya bel",
        "Speech unavailable: chime only",
    ),
    # --- counter ------------------------------------------------------------
    "counter.window_title": (
        "Antrean — Konsol Loket {counter}",
        "Antrean — Counter {counter} console",
    ),
    "counter.cli.no_counter": (
        "antrean counter: sebutkan loketnya dengan --counter (mis. --counter 3)",
        "antrean counter: say which counter with --counter (e.g. --counter 3)",
    ),
    "counter.title": ("Loket {counter}", "Counter {counter}"),
    "counter.staff": ("Petugas: {name}", "Staff: {name}"),
    "counter.logout": ("Keluar", "Log out"),
    "counter.offline": ("Terputus", "Offline"),
    "counter.refused": (
        "Server menolak perangkat ini (token salah). Hubungi admin.",
        "The server refused this device (wrong token). Call the administrator.",
    ),
    "counter.tab.desk": ("Loket", "Counter"),
    "counter.login.title": ("Masuk petugas", "Staff login"),
    "counter.login.subtitle": ("Konsol Loket {counter}", "Counter {counter} console"),
    "counter.login.username": ("Nama pengguna", "Username"),
    "counter.login.pin": ("PIN", "PIN"),
    "counter.login.submit": ("Masuk", "Log in"),
    "counter.login.checking": ("Memeriksa…", "Checking…"),
    "counter.login.wrong": ("Nama pengguna atau PIN salah.", "Wrong username or PIN."),
    "counter.login.locked": (
        "Terkunci {n} menit: terlalu banyak PIN salah.",
        "Locked for {n} minutes: too many wrong PINs.",
    ),
    "counter.login.forbidden": (
        "Akun ini tidak boleh memakai konsol ini.",
        "This account may not use this console.",
    ),
    "counter.unknown_counter": (
        "Loket {counter} tidak ada di konfigurasi kantor.",
        "Counter {counter} is not in the office configuration.",
    ),
    "counter.open_counter": ("Buka loket", "Open counter"),
    "counter.apply_services": ("Simpan layanan", "Save services"),
    "counter.close_counter": ("Tutup loket", "Close counter"),
    "counter.closed_hint": (
        "Pilih layanan hari ini, lalu tekan Buka loket.",
        "Choose today's services, then press Open counter.",
    ),
    "counter.open_hint": ("Layanan yang dilayani loket ini:", "Services this counter serves:"),
    "counter.paused_hint": (
        "Loket sedang istirahat. Tekan F8 untuk melanjutkan.",
        "The counter is on a break. Press F8 to resume.",
    ),
    "counter.held_elsewhere": (
        "Loket ini sedang dibuka di perangkat {device}.",
        "This counter is open on device {device}.",
    ),
    "counter.current": ("Nomor sekarang", "Current number"),
    "counter.no_ticket": ("Belum ada nomor yang dipanggil", "No number called"),
    "counter.ticket_status": ("Status: {status}", "Status: {status}"),
    "counter.clock.called": ("sejak dipanggil", "since called"),
    "counter.clock.serving": ("sejak mulai dilayani", "since service began"),
    "counter.calls": ("panggilan ke-{n}", "call {n}"),
    "counter.transferred_from": ("dialihkan dari {service}", "transferred from {service}"),
    "counter.action.call_next": ("Panggil berikutnya", "Call next"),
    "counter.action.recall": ("Panggil ulang", "Recall"),
    "counter.action.start": ("Mulai layani", "Start serving"),
    "counter.action.complete": ("Selesai", "Done"),
    "counter.action.no_show": ("Tidak hadir", "No-show"),
    "counter.action.transfer": ("Alihkan layanan", "Transfer"),
    "counter.action.call_specific": ("Panggil nomor", "Call a number"),
    "counter.action.pause": ("Istirahat", "Pause"),
    "counter.action.resume": ("Lanjutkan", "Resume"),
    "counter.waiting.title": ("Antrean menunggu", "Waiting"),
    "counter.waiting.count": ("Menunggu: {n}", "Waiting: {n}"),
    "counter.waiting.longest": ("Tunggu terlama: {time}", "Longest wait: {time}"),
    "counter.waiting.none": ("Tidak ada yang menunggu", "Nobody is waiting"),
    "counter.waiting.next": ("Berikutnya:", "Next:"),
    "counter.figures.title": ("Hasil saya hari ini", "My figures today"),
    "counter.figures.served": ("Dilayani", "Served"),
    "counter.figures.no_show": ("Tidak hadir", "No-shows"),
    "counter.figures.average": ("Rata-rata layanan", "Average service"),
    "counter.transfer.title": (
        "Alihkan {number} ke layanan lain",
        "Transfer {number} to another service",
    ),
    "counter.transfer.closed": ("{name} (tutup)", "{name} (closed)"),
    "counter.transfer.ok": ("Alihkan", "Transfer"),
    "counter.cancel": ("Batal", "Cancel"),
    "counter.call.title": ("Panggil nomor tertentu", "Call a specific number"),
    "counter.call.number": ("Nomor antrean (mis. A012)", "Ticket number (e.g. A012)"),
    "counter.call.reason": (
        "Alasan (wajib, dicatat dalam jejak audit)",
        "Reason (required, recorded in the audit trail)",
    ),
    "counter.call.ok": ("Panggil", "Call"),
    "counter.done.called": ("Nomor {number} dipanggil.", "Number {number} called."),
    "counter.done.called_specific": (
        "Nomor {number} dipanggil di luar urutan (alasan dicatat).",
        "Number {number} called out of turn (reason recorded).",
    ),
    "counter.done.recalled": (
        "Nomor {number} dipanggil ulang (panggilan ke-{n}).",
        "Number {number} called again (call {n}).",
    ),
    "counter.done.started": ("Mulai melayani {number}.", "Serving {number}."),
    "counter.done.completed": ("{number} selesai dilayani.", "{number} done."),
    "counter.done.no_show": ("{number} ditandai tidak hadir.", "{number} marked as no-show."),
    "counter.done.transferred": ("{number} dialihkan ke {service}.",
                                 "{number} transferred to {service}."),
    "counter.done.nobody": ("Tidak ada antrean yang menunggu.", "Nobody is waiting."),
    "counter.done.opened": ("Loket dibuka.", "Counter opened."),
    "counter.done.services": ("Layanan loket disimpan.", "Counter services saved."),
    "counter.done.paused": ("Loket istirahat.", "Counter on a break."),
    "counter.done.resumed": ("Loket dibuka kembali.", "Counter open again."),
    "counter.done.closed": ("Loket ditutup.", "Counter closed."),
    "counter.pending_offline": (
        "Tindakan tertunda: dikirim ulang otomatis setelah tersambung kembali.",
        "Action pending: it is sent again by itself once reconnected.",
    ),
    "counter.error.already_called": (
        "Nomor {number} sudah dipanggil oleh loket {counter}.",
        "Number {number} was already called by counter {counter}.",
    ),
    "counter.error.not_waiting": (
        "Nomor {number} tidak sedang menunggu ({status}).",
        "Number {number} is not waiting ({status}).",
    ),
    "counter.error.no_such_number": (
        "Nomor {number} tidak ada hari ini.",
        "There is no number {number} today.",
    ),
    "counter.error.server_says": ("Keterangan server: {detail}", "Server: {detail}"),
    "supervisor.tab": ("Supervisor", "Supervisor"),
    "supervisor.unavailable": (
        "Tab supervisor tidak tersedia: {reason}",
        "Supervisor tab not available: {reason}",
    ),
    "supervisor.token_refused": (
        "token supervisor ditolak server.",
        "the server refused the supervisor token.",
    ),
    "supervisor.counters.title": ("Semua loket", "All counters"),
    "supervisor.col.counter": ("Loket", "Counter"),
    "supervisor.col.state": ("Status", "State"),
    "supervisor.col.staff": ("Petugas", "Staff"),
    "supervisor.col.services": ("Layanan", "Services"),
    "supervisor.col.ticket": ("Nomor", "Ticket"),
    "supervisor.col.time": ("Lama", "Time"),
    "supervisor.col.device": ("Perangkat", "Device"),
    "supervisor.col.status": ("Keadaan", "Status"),
    "supervisor.col.detail": ("Keterangan", "Detail"),
    "supervisor.col.at": ("Pukul", "Time"),
    "supervisor.services.title": ("Layanan dan kuota harian", "Services and daily quotas"),
    "supervisor.service.open": ("Buka", "Open"),
    "supervisor.service.closed": ("Tutup", "Closed"),
    "supervisor.service.open_action": ("Buka layanan", "Open service"),
    "supervisor.service.close_action": ("Tutup layanan", "Close service"),
    "supervisor.service.counts": (
        "Menunggu {waiting} · diambil {issued}",
        "Waiting {waiting} · issued {issued}",
    ),
    "supervisor.service.saved": ("Layanan {name} disimpan.", "Service {name} saved."),
    "supervisor.quota.unlimited": ("Tanpa batas", "Unlimited"),
    "supervisor.quota.apply": ("Simpan kuota", "Save quota"),
    "supervisor.announce.title": ("Pengumuman di layar", "Announcement on the displays"),
    "supervisor.announce.id": ("Teks Bahasa Indonesia", "Indonesian text"),
    "supervisor.announce.en": (
        "Teks Bahasa Inggris (boleh kosong: teks Indonesia dipakai)",
        "English text (may be left empty: the Indonesian is used)",
    ),
    "supervisor.announce.send": ("Kirim ke layar", "Send to the displays"),
    "supervisor.announce.sent": ("Pengumuman terkirim ke layar.", "Announcement sent."),
    "supervisor.devices.title": ("Gangguan perangkat", "Device faults"),
    "supervisor.devices.none": ("Tidak ada gangguan perangkat.", "No device faults."),
    "supervisor.device.ok": ("Normal", "OK"),
    "supervisor.device.no_paper": ("Kertas printer habis", "Printer out of paper"),
    "supervisor.device.cover_open": ("Penutup printer terbuka", "Printer cover open"),
    "supervisor.device.unreachable": ("Printer tidak terhubung", "Printer not connected"),
    "supervisor.device.timeout": ("Printer tidak merespons", "Printer not responding"),
    "supervisor.device.error": ("Printer bermasalah", "Printer fault"),
    "supervisor.device.printer_error": ("Printer bermasalah", "Printer fault"),
    "supervisor.role.kiosk": ("Kios", "Kiosk"),
    "supervisor.role.display": ("Layar", "Display"),
    "supervisor.role.counter": ("Loket", "Counter"),
    "supervisor.role.supervisor": ("Supervisor", "Supervisor"),
    # --- calendar, multi-step visits and bookings (issue 12) ---
    "calendar.closed.break": ("Istirahat", "Break"),
    "calendar.closed.before_hours": ("Belum buka", "Not open yet"),
    "calendar.closed.after_hours": ("Sudah tutup", "Closed for today"),
    "calendar.closed.not_a_working_day": ("Tutup hari ini", "Closed today"),
    "calendar.closed.holiday": ("Libur Nasional: {name}", "National holiday: {name}"),
    "calendar.closed.closure": ("Kantor tutup: {name}", "Office closed: {name}"),
    "calendar.reopens_today": ("buka kembali pukul {time}", "opens again at {time}"),
    "calendar.opens_today": ("buka pukul {time}", "opens at {time}"),
    "calendar.reopens_on": (
        "buka kembali {weekday}, {day} {month} pukul {time}",
        "opens again on {weekday} {day} {month} at {time}",
    ),
    "kiosk.start.booking": ("Saya punya kode booking", "I have a booking code"),
    "kiosk.booking.title": ("Masukkan kode booking Anda", "Enter your booking code"),
    "kiosk.booking.hint": (
        "Ketik kode dari aplikasi M-Paspor, atau pindai kodenya di pemindai.",
        "Type the code from the M-Paspor app, or scan it at the scanner.",
    ),
    "kiosk.booking.placeholder": ("Kode booking", "Booking code"),
    "kiosk.booking.delete": ("⌫ Hapus", "⌫ Delete"),
    "kiosk.booking.check_in": ("Lapor kedatangan", "Check in"),
    "kiosk.booking.walk_in": ("Ambil nomor biasa", "Take a regular number"),
    "kiosk.booking.empty": (
        "Masukkan kode booking Anda dahulu.", "Please enter your booking code.",
    ),
    "kiosk.booking.not_found": (
        "Kode booking {code} tidak ditemukan. Periksa kembali kode Anda.",
        "Booking code {code} was not found. Please check the code.",
    ),
    "kiosk.booking.used": (
        "Kode booking {code} sudah dipakai untuk lapor kedatangan.",
        "Booking code {code} has already been checked in.",
    ),
    "kiosk.booking.other_day": (
        "Booking ini untuk tanggal {date}, bukan hari ini.",
        "This booking is for {date}, not today.",
    ),
    "kiosk.booking.early": (
        "Anda datang terlalu awal. Silakan lapor kedatangan mulai pukul {time}.",
        "You are early. Please check in from {time}.",
    ),
    "kiosk.booking.late": (
        "Waktu lapor kedatangan untuk booking ini sudah lewat.",
        "The check-in time for this booking has passed.",
    ),
    "kiosk.booking.late_walk_in": (
        "Waktu lapor kedatangan untuk booking ini sudah lewat. Anda dapat mengambil nomor "
        "antrean biasa.",
        "The check-in time for this booking has passed. You can take a regular number instead.",
    ),
    "kiosk.ticket.booking": ("Booking {code}", "Booking {code}"),
    "step.of": ("Tahap {step}/{steps}: {name}", "Step {step}/{steps}: {name}"),
    "step.next": ("Berikutnya: {name}", "Next: {name}"),
    "step.last": ("Tahap terakhir", "Last step"),
}


def tr(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text for `key` in `lang`; an unknown key shows itself (and a test
    makes sure no screen uses one)."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry[1] if lang == "en" else entry[0]
    return text.format(**params) if params else text


def error_text(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return tr(f"error.{code}" if f"error.{code}" in CATALOGUE else "error.internal", lang)
