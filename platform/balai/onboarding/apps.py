from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Onboarding villages (single and bulk). SHARED app: lives in the public schema."""

    name = "balai.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"
