from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """What kecamatan and kabupaten supervisors read on the public host. SHARED app.

    Supervisors never read village schemas while they wait: they read public-schema rows
    (villages now, the roll-up tables of the workers issue later), filtered by the region
    codes they supervise.
    """

    name = "balai.supervision"
    label = "supervision"
    verbose_name = "Supervisi"
