"""The letter types every village starts with. Villages edit the wording afterwards.

Classification codes follow the archive classification of Permendagri 78/2012 (kept by
Permendagri 83/2022 on naskah dinas), as village offices use them: 470 kependudukan,
474.1 kelahiran, 474.2 perkawinan, 474.3 kematian, 475 pindah, 503 perizinan usaha,
400 kesejahteraan rakyat, 331 kriminal/ketertiban (pengantar SKCK).
"""

from __future__ import annotations

IDENTITY_BLOCK = """Nama : {{ nama }}
NIK : {{ nik }}
Tempat/Tgl. Lahir : {{ tempat_tanggal_lahir }}
Jenis Kelamin : {{ jenis_kelamin }}
Agama : {{ agama }}
Pekerjaan : {{ pekerjaan }}
Status Perkawinan : {{ status_perkawinan }}
Alamat : {{ alamat }} RT {{ rt }} RW {{ rw }} Dusun {{ dusun }}"""

OPENING = (
    "Yang bertanda tangan di bawah ini {{ jabatan_kepala_desa }} {{ nama_desa }}, "
    "menerangkan dengan sebenarnya bahwa:"
)
CLOSING = (
    "Demikian surat keterangan ini dibuat dengan sebenarnya untuk dipergunakan "
    "sebagaimana mestinya."
)
CLOSING_VALID = CLOSING + " Surat ini berlaku sampai dengan {{ berlaku_sampai }}."


def _text(name: str, label: str, required: bool = True) -> dict:
    return {"name": name, "label": label, "type": "text", "required": required}


def _date(name: str, label: str, required: bool = True) -> dict:
    return {"name": name, "label": label, "type": "date", "required": required}


def _number(name: str, label: str, required: bool = True) -> dict:
    return {"name": name, "label": label, "type": "number", "required": required}


def _choice(name: str, label: str, choices: list[str], required: bool = True) -> dict:
    return {
        "name": name,
        "label": label,
        "type": "choice",
        "required": required,
        "choices": choices,
    }


def _body(middle: str, closing: str = CLOSING_VALID) -> str:
    return f"{OPENING}\n\n{IDENTITY_BLOCK}\n\n{middle}\n\n{closing}"


KTP_KK = ["Fotokopi KTP", "Fotokopi Kartu Keluarga"]
PENGANTAR_RT = "Surat pengantar RT/RW"

LETTER_TYPES: list[dict] = [
    {
        "code": "domisili",
        "name": "Surat Keterangan Domisili",
        "classification_code": "470",
        "validity_days": 180,
        "online_allowed": True,
        "requirements": [*KTP_KK, PENGANTAR_RT],
        "fields": [_text("keperluan", "Keperluan"), _date("sejak", "Tinggal sejak", False)],
        "middle": (
            "adalah benar penduduk yang berdomisili di {{ sebutan_desa }} {{ nama_desa }} "
            "dengan alamat tersebut di atas. Surat keterangan ini diberikan untuk keperluan "
            "{{ field.keperluan }}."
        ),
    },
    {
        "code": "usaha",
        "name": "Surat Keterangan Usaha",
        "classification_code": "503",
        "validity_days": 365,
        "online_allowed": True,
        "requirements": [*KTP_KK, PENGANTAR_RT, "Foto tempat usaha"],
        "fields": [
            _text("nama_usaha", "Nama usaha"),
            _text("jenis_usaha", "Jenis usaha"),
            _text("alamat_usaha", "Alamat usaha"),
            _date("mulai_usaha", "Mulai usaha", False),
            _text("keperluan", "Keperluan"),
        ],
        "middle": (
            "adalah benar memiliki usaha sebagai berikut:\n\n"
            "Nama Usaha : {{ field.nama_usaha }}\n"
            "Jenis Usaha : {{ field.jenis_usaha }}\n"
            "Alamat Usaha : {{ field.alamat_usaha }}\n"
            "Mulai Usaha : {{ field.mulai_usaha }}\n\n"
            "Surat keterangan ini diberikan untuk keperluan {{ field.keperluan }}."
        ),
    },
    {
        "code": "sktm",
        "name": "Surat Keterangan Tidak Mampu",
        "classification_code": "400",
        "validity_days": 180,
        "online_allowed": True,
        "requirements": [*KTP_KK, PENGANTAR_RT],
        "fields": [
            _text("keperluan", "Keperluan"),
            _number("penghasilan_bulanan", "Penghasilan keluarga per bulan (Rp)", False),
            _number("jumlah_tanggungan", "Jumlah tanggungan", False),
        ],
        "middle": (
            "adalah benar penduduk {{ sebutan_desa }} {{ nama_desa }} yang tergolong keluarga "
            "tidak mampu, dengan penghasilan keluarga per bulan Rp {{ field.penghasilan_bulanan }} "
            "dan {{ field.jumlah_tanggungan }} orang tanggungan. Surat keterangan ini diberikan "
            "untuk keperluan {{ field.keperluan }}."
        ),
    },
    {
        "code": "pengantar-skck",
        "name": "Surat Pengantar SKCK",
        "classification_code": "331",
        "validity_days": 30,
        "online_allowed": True,
        "requirements": [*KTP_KK, PENGANTAR_RT, "Pas foto 4x6 (4 lembar)"],
        "fields": [_text("keperluan", "Keperluan")],
        "title": "SURAT PENGANTAR",
        "middle": (
            "adalah benar penduduk {{ sebutan_desa }} {{ nama_desa }} dan sepanjang "
            "pengetahuan kami berkelakuan baik serta tidak pernah tersangkut perkara pidana. "
            "Surat pengantar ini diberikan untuk mengurus Surat Keterangan Catatan Kepolisian "
            "(SKCK) guna keperluan {{ field.keperluan }}."
        ),
        "closing": "Demikian surat pengantar ini dibuat untuk dipergunakan sebagaimana mestinya. "
        "Surat ini berlaku sampai dengan {{ berlaku_sampai }}.",
    },
    {
        "code": "pengantar",
        "name": "Surat Pengantar Umum",
        "classification_code": "470",
        "validity_days": 30,
        "online_allowed": True,
        "requirements": [*KTP_KK],
        "fields": [_text("tujuan", "Ditujukan kepada"), _text("keperluan", "Keperluan")],
        "title": "SURAT PENGANTAR",
        "middle": (
            "adalah benar penduduk {{ sebutan_desa }} {{ nama_desa }}. Surat pengantar ini "
            "diberikan kepada yang bersangkutan untuk {{ field.keperluan }} kepada "
            "{{ field.tujuan }}."
        ),
        "closing": "Demikian surat pengantar ini dibuat untuk dipergunakan sebagaimana mestinya.",
    },
    {
        "code": "kelahiran",
        "name": "Surat Keterangan Kelahiran",
        "classification_code": "474.1",
        "validity_days": 0,
        "online_allowed": True,
        "requirements": [*KTP_KK, "Surat keterangan lahir dari bidan/rumah sakit", "Buku nikah"],
        "fields": [
            _text("nama_anak", "Nama anak"),
            _choice("jenis_kelamin_anak", "Jenis kelamin anak", ["Laki-laki", "Perempuan"]),
            _text("tempat_lahir_anak", "Tempat lahir anak"),
            _date("tanggal_lahir_anak", "Tanggal lahir anak"),
            _number("anak_ke", "Anak ke-", False),
            _text("nama_ayah", "Nama ayah"),
            _text("nama_ibu", "Nama ibu"),
        ],
        "middle": (
            "adalah pelapor kelahiran seorang anak:\n\n"
            "Nama Anak : {{ field.nama_anak }}\n"
            "Jenis Kelamin : {{ field.jenis_kelamin_anak }}\n"
            "Tempat Lahir : {{ field.tempat_lahir_anak }}\n"
            "Tanggal Lahir : {{ field.tanggal_lahir_anak }}\n"
            "Anak Ke : {{ field.anak_ke }}\n"
            "Nama Ayah : {{ field.nama_ayah }}\n"
            "Nama Ibu : {{ field.nama_ibu }}"
        ),
        "closing": CLOSING,
    },
    {
        "code": "kematian",
        "name": "Surat Keterangan Kematian",
        "classification_code": "474.3",
        "validity_days": 0,
        "online_allowed": False,
        "requirements": [*KTP_KK, "KTP almarhum/almarhumah", "Surat keterangan dari dokter"],
        "fields": [
            _text("nama_almarhum", "Nama almarhum/almarhumah"),
            _text("nik_almarhum", "NIK almarhum/almarhumah", False),
            _date("tanggal_meninggal", "Tanggal meninggal"),
            _text("tempat_meninggal", "Tempat meninggal"),
            _text("sebab_meninggal", "Sebab meninggal"),
            _text("hubungan_pelapor", "Hubungan pelapor dengan almarhum"),
        ],
        "middle": (
            "selaku {{ field.hubungan_pelapor }} melaporkan bahwa telah meninggal dunia:\n\n"
            "Nama : {{ field.nama_almarhum }}\n"
            "NIK : {{ field.nik_almarhum }}\n"
            "Tanggal Meninggal : {{ field.tanggal_meninggal }}\n"
            "Tempat Meninggal : {{ field.tempat_meninggal }}\n"
            "Sebab : {{ field.sebab_meninggal }}"
        ),
        "closing": CLOSING,
    },
    {
        "code": "pindah",
        "name": "Surat Keterangan Pindah",
        "classification_code": "475",
        "validity_days": 30,
        "online_allowed": True,
        "requirements": [*KTP_KK, PENGANTAR_RT],
        "fields": [
            _text("alamat_tujuan", "Alamat tujuan"),
            _choice(
                "alasan_pindah",
                "Alasan pindah",
                [
                    "Pekerjaan",
                    "Pendidikan",
                    "Keamanan",
                    "Kesehatan",
                    "Perumahan",
                    "Keluarga",
                    "Lainnya",
                ],
            ),
            _date("tanggal_pindah", "Tanggal pindah"),
            _number("jumlah_pengikut", "Jumlah anggota keluarga yang ikut", False),
        ],
        "middle": (
            "adalah benar akan pindah dari {{ sebutan_desa }} {{ nama_desa }}:\n\n"
            "Alamat Tujuan : {{ field.alamat_tujuan }}\n"
            "Alasan Pindah : {{ field.alasan_pindah }}\n"
            "Tanggal Pindah : {{ field.tanggal_pindah }}\n"
            "Jumlah Pengikut : {{ field.jumlah_pengikut }} orang"
        ),
    },
    {
        "code": "belum-menikah",
        "name": "Surat Keterangan Belum Menikah",
        "classification_code": "474.2",
        "validity_days": 90,
        "online_allowed": True,
        "requirements": [*KTP_KK, PENGANTAR_RT],
        "fields": [_text("keperluan", "Keperluan")],
        "middle": (
            "sepanjang pengetahuan kami dan menurut data kependudukan {{ sebutan_desa }} "
            "{{ nama_desa }}, yang bersangkutan belum pernah menikah. Surat keterangan ini "
            "diberikan untuk keperluan {{ field.keperluan }}."
        ),
    },
    {
        "code": "penghasilan",
        "name": "Surat Keterangan Penghasilan",
        "classification_code": "400",
        "validity_days": 90,
        "online_allowed": True,
        "requirements": [*KTP_KK, PENGANTAR_RT],
        "fields": [
            _number("penghasilan_bulanan", "Penghasilan per bulan (Rp)"),
            _text("sumber_penghasilan", "Sumber penghasilan"),
            _text("keperluan", "Keperluan"),
        ],
        "middle": (
            "adalah benar memiliki penghasilan rata-rata Rp {{ field.penghasilan_bulanan }} "
            "per bulan dari {{ field.sumber_penghasilan }}. Surat keterangan ini diberikan "
            "untuk keperluan {{ field.keperluan }}."
        ),
    },
]


def letter_type_defaults(entry: dict) -> dict:
    """The model fields of one catalog entry."""
    return {
        "name": entry["name"],
        "classification_code": entry["classification_code"],
        "validity_days": entry["validity_days"],
        "online_allowed": entry["online_allowed"],
        "requirements": entry["requirements"],
        "fields": entry["fields"],
        "title": entry.get("title", entry["name"].upper()),
        "template": _body(entry["middle"], entry.get("closing", CLOSING_VALID)),
    }
