from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.domains.imports.models import ImportKind, ImportStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ImportJob',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='import_jobs', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='BUILDINGS: buildings\nUNITS: units\nOWNERS: owners', enum_type=ImportKind, max_length=16)),
                ('status', fields.CharEnumField(default=ImportStatus.PREVIEWED, description='PREVIEWED: previewed\nCOMMITTING: committing\nDONE: done\nFAILED: failed', enum_type=ImportStatus, max_length=16)),
                ('file_name', fields.CharField(default='', max_length=255)),
                ('total_rows', fields.IntField(default=0)),
                ('valid_rows', fields.IntField(default=0)),
                ('error_count', fields.IntField(default=0)),
                ('processed', fields.IntField(default=0)),
                ('rows', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('failure', fields.CharField(default='', max_length=200)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='import_jobs', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'import_job', 'app': 'models', 'indexes': [Index(fields=['company_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
