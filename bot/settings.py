"""One settings object, read from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


def default_bank_dir() -> Path:
    """Return the bank shipped with the package (wheel install) or beside it (source checkout)."""
    installed = PACKAGE_DIR / "_bank"
    if (installed / "question_bank").is_dir():
        return installed
    return PACKAGE_DIR.parent


class Settings(BaseSettings):
    """Every setting mlprep reads; each is documented in `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    db: Path = Field(default=Path("mlprep.db"), validation_alias="MLPREP_DB")
    bank_dir: Path = Field(default_factory=default_bank_dir, validation_alias="MLPREP_BANK_DIR")
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    llm_model: str | None = Field(default=None, validation_alias="MLPREP_LLM_MODEL")
    llm_timeout_s: float = Field(default=30.0, gt=0, le=600, validation_alias="MLPREP_LLM_TIMEOUT_S")
    llm_daily_per_user: int = Field(default=50, ge=0, validation_alias="MLPREP_LLM_DAILY_PER_USER")
    llm_daily_per_server: int = Field(default=1000, ge=0, validation_alias="MLPREP_LLM_DAILY_PER_SERVER")
    code_time_limit_s: float = Field(default=5.0, gt=0, le=60, validation_alias="MLPREP_CODE_TIME_LIMIT_S")
    code_memory_mb: int = Field(default=512, ge=64, le=8192, validation_alias="MLPREP_CODE_MEMORY_MB")
    maths_time_limit_s: float = Field(default=5.0, gt=0, le=60, validation_alias="MLPREP_MATHS_TIME_LIMIT_S")
    log_level: str = Field(default="WARNING", validation_alias="MLPREP_LOG_LEVEL")
    dev_guild: int | None = Field(default=None, validation_alias="MLPREP_DEV_GUILD")
    discord_api_base: str = Field(default="https://discord.com/api/v10", validation_alias="DISCORD_API_BASE")
    discord_gateway_url: str | None = Field(default=None, validation_alias="DISCORD_GATEWAY_URL")
    answer_cooldown_s: float = Field(default=3.0, ge=0, le=600, validation_alias="MLPREP_ANSWER_COOLDOWN_S")
    judge_python: str = Field(default="/usr/bin/python3", validation_alias="MLPREP_JUDGE_PYTHON")
    allow_weak_sandbox: bool = Field(default=False, validation_alias="MLPREP_ALLOW_WEAK_SANDBOX")
    judge_workers: int = Field(default=0, ge=0, le=64, validation_alias="MLPREP_JUDGE_WORKERS")
    grading_workers: int = Field(default=0, ge=0, le=64, validation_alias="MLPREP_GRADING_WORKERS")
    embeddings: Literal["auto", "on", "off"] = Field(default="auto", validation_alias="MLPREP_EMBEDDINGS")
